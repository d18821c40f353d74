import type { Express, RequestHandler } from 'express';
import type { Orchestrator } from '../orchestration/orchestrator';
import { SessionWatchHub } from '../sessions/session-watch';
import { bearerAuth } from './auth';
import { type EventStreamOptions, streamSessionEvents } from './event-stream';
import { EVENT_STREAM_OPERATIONS } from './event-stream-operations';
import { HttpError } from './http-errors';
import type { Operation } from './operation-spec';
import { markRoute } from './request-log';
import { parseEventId } from './session-feed';
import { StreamTokens } from './stream-token';
import { handle } from './validation';

/** What the event-stream routes need. */
export interface EventStreamRouteOptions {
  requestTimeoutMs: number;
  /** The gateway's API_TOKEN, when it has one. */
  apiToken: string | undefined;
  jsonBody: RequestHandler;
  stream: EventStreamOptions & { pollMs: number };
}

/** Registers `GET /sessions/{id}/events` and `POST /auth/stream-token`. The stream takes the bearer header or a stream token. */
export function registerEventStreamRoutes(router: Express, o: Orchestrator, options: EventStreamRouteOptions): void {
  const within = <T>(fn: () => Promise<T>): Promise<T> => o.withDeadline(options.requestTimeoutMs, fn);
  const bearer = options.apiToken ? bearerAuth(options.apiToken) : null;
  const tokens = options.apiToken ? new StreamTokens(options.apiToken) : null;
  const route = (op: Operation, auth: RequestHandler | null, handler: RequestHandler): void => {
    router[op.method](op.path, markRoute, ...(auth ? [auth] : []), ...(op.body ? [options.jsonBody] : []), handler);
  };
  // One watcher per session for every stream this gateway serves.
  const hub = new SessionWatchHub(o.sessions, (ms, fn) => o.withDeadline(ms, fn), {
    pollMs: options.stream.pollMs,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  const streamAuth: RequestHandler | null =
    bearer &&
    ((req, res, next) => {
      const token = req.query.access_token;
      const id = (req.params as Record<string, string>).id ?? '';
      if (typeof token === 'string' && tokens?.verify(token, id)) return next();
      return bearer(req, res, next);
    });

  route(
    EVENT_STREAM_OPERATIONS.streamToken,
    bearer,
    handle(EVENT_STREAM_OPERATIONS.streamToken, async ({ body }, res) => {
      await within(() => o.getSessionStatus(body.session_id));
      const issued = (tokens ?? new StreamTokens('no API_TOKEN: the stream is open anyway')).issue(body.session_id);
      res.json({ token: issued.token, expires_at: issued.expiresAt.toISOString() });
    }),
  );

  route(
    EVENT_STREAM_OPERATIONS.sessionEvents,
    streamAuth,
    handle(EVENT_STREAM_OPERATIONS.sessionEvents, async ({ params, query }, res, req) => {
      const resumeFrom = req.get('last-event-id') ?? query.last_event_id;
      const cursor = resumeFrom === undefined || resumeFrom === '' ? { audit: 0, log: 0 } : parseEventId(resumeFrom);
      if (!cursor) throw new HttpError(400, 'validation_error', 'Last-Event-ID: not an id this stream sent (<audit>-<logOffset>)');
      await streamSessionEvents(hub, params.id ?? '', cursor, res, options.stream);
    }),
  );
}
