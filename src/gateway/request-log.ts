import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/** What is known of a finished request. */
export interface FinishedRequest {
  method: string;
  /** The route template (`/sessions/:id`), or `unmatched`. */
  route: string;
  status: number;
  seconds: number;
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Remember the matched route (and session id) for the request log and metrics; put first in each route. */
export const markRoute: RequestHandler = (req, res, next) => {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  res.locals.route = typeof path === 'string' ? path : 'unmatched';
  const id = (req.params as Record<string, string | undefined>).id;
  if (id) res.locals.sessionId = id;
  next();
};

/**
 * One JSON log line per request (method, path, route, status, duration, session id when the route has one,
 * error code, request id), and a callback for metrics. An `X-Request-Id` from the caller is kept and echoed.
 */
export function requestTelemetry(logger: Logger, onFinish: (request: FinishedRequest) => void): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.set('X-Request-Id', requestId);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = typeof res.locals.route === 'string' ? res.locals.route : 'unmatched';
      onFinish({ method: req.method, route, status: res.statusCode, seconds });
      const sessionId: unknown = res.locals.sessionId;
      logger.info(
        {
          request_id: requestId,
          method: req.method,
          path: req.path,
          route,
          status: res.statusCode,
          duration_ms: Math.round(seconds * 1e6) / 1e3,
          ...(typeof sessionId === 'string' ? { session_id: sessionId } : {}),
          ...(typeof res.locals.errorCode === 'string' ? { error_code: res.locals.errorCode } : {}),
        },
        'request',
      );
    });
    next();
  };
}
