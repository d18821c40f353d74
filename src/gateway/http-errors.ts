import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { sessionJson } from './presenters';
import * as failures from '../orchestration/errors';
import { NoHistoryYetError, RefNotFoundError } from '../sessions/session-git';

/** An error the gateway answers with a given status and code; the message goes to the client as is. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Members of the body beside `error` (the current session, for stale_review). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Send the one error body shape: `{"error": {"code", "message"}}`, plus `extra` members. */
export function sendError(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).type('application/json').json({ error: { code, message }, ...extra });
}

/** A zod failure as one readable line: `field: problem; other: problem`. */
export function describeIssues(error: z.ZodError, where: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : issue.message;
      return path ? `${where} ${path}: ${message}` : `${where}: ${message}`;
    })
    .join('; ');
}

/** The status, code and client message of a failure; anything unexpected is a 500 with no details. */
export function classify(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof failures.ValidationError) return new HttpError(400, 'validation_error', err.message);
  if (err instanceof failures.SessionNotFoundError) return new HttpError(404, 'session_not_found', err.message);
  if (err instanceof NoHistoryYetError) return new HttpError(409, 'no_history_yet', err.message);
  if (err instanceof RefNotFoundError) return new HttpError(404, 'ref_not_found', err.message);
  if (err instanceof failures.StaleReviewError) return new HttpError(409, 'stale_review', err.message, {}, { session: sessionJson(err.session) });
  if (err instanceof failures.InvalidOperationError) return new HttpError(409, 'invalid_operation', err.message);
  if (err instanceof failures.IdempotencyKeyReusedError) return new HttpError(422, 'idempotency_key_reused', err.message);
  if (err instanceof failures.NotifyUrlNotAllowedError) return new HttpError(422, 'notify_url_not_allowed', err.message);
  if (err instanceof failures.MaxSessionsExceededError) return new HttpError(429, 'too_many_sessions', err.message, { 'Retry-After': '30' });
  if (err instanceof failures.DecisionTimeoutError) {
    return new HttpError(503, 'decision_not_confirmed', err.message, { 'Retry-After': '5' });
  }
  if (err instanceof failures.WorkerUnavailableError) return new HttpError(503, 'worker_unavailable', err.message, { 'Retry-After': '5' });
  if (err instanceof failures.TemporalUnavailableError) return new HttpError(503, 'temporal_unavailable', err.message, { 'Retry-After': '5' });
  const bodyParser = bodyParserError(err);
  if (bodyParser) return bodyParser;
  const clientError = exposedClientError(err);
  if (clientError) return clientError;
  return new HttpError(500, 'internal_error', 'An unexpected error occurred; it has been logged.');
}

/** Errors of express.json(): malformed JSON, too large, unsupported charset. */
function bodyParserError(err: unknown): HttpError | null {
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return new HttpError(400, 'malformed_json', 'The request body is not valid JSON.');
  if (type === 'entity.too.large') return new HttpError(413, 'payload_too_large', 'The request body is larger than the gateway accepts.');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new HttpError(415, 'unsupported_media_type', 'The request body must be UTF-8 JSON.');
  }
  return null;
}

/** A 4xx that Express itself raised (e.g. a path parameter that is not valid percent-encoded UTF-8). */
function exposedClientError(err: unknown): HttpError | null {
  const { status } = (err ?? {}) as { status?: unknown };
  if (err instanceof URIError && status === 400) return new HttpError(400, 'bad_request', 'The request path is not valid percent-encoded UTF-8.');
  return null;
}

/** The last middleware: every failure becomes the error body; 5xx are logged with their cause. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const http = classify(err);
    if (http.status >= 500) logger.error({ err, method: req.method, url: req.originalUrl, code: http.code }, 'request failed');
    res.locals.errorCode = http.code;
    res.set(http.headers);
    sendError(res, http.status, http.code, http.message, http.extra);
  };
}

/** Routes nobody serves. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, 'not_found', `No route for ${req.method} ${req.path}`);
};
