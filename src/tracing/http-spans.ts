import * as otel from '@opentelemetry/api';
import type { RequestHandler } from 'express';

/**
 * A SERVER span per gateway request, named `METHOD /route/:template` once routing has matched (`unmatched`
 * otherwise), continuing a W3C `traceparent` from the caller; handlers run inside it, so the Temporal client
 * calls they make are its children. Only the path is recorded, never the query (it may carry a stream token).
 */
export function httpServerSpans(): RequestHandler {
  const tracer = otel.trace.getTracer('ai-dev-orchestrator/gateway');
  return (req, res, next) => {
    const parent = otel.propagation.extract(otel.ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      req.method,
      { kind: otel.SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
      parent,
    );
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      const route = typeof res.locals.route === 'string' ? res.locals.route : 'unmatched';
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: otel.SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    otel.context.with(otel.trace.setSpan(parent, span), next);
  };
}
