import type { Express, RequestHandler } from 'express';
import type { Orchestrator } from '../orchestration/orchestrator';
import { SessionWatchHub } from '../sessions/session-watch';
import { bearerAuth } from './auth';
import { DASHBOARD_OPERATIONS } from './dashboard-operations';
import { type EventStreamOptions, streamSessionEvents } from './event-stream';
import { HttpError } from './http-errors';
import type { Operation } from './operations';
import { markRoute } from './request-log';
import { ArtifactNameSchema } from './schemas';
import { parseEventId } from './session-feed';
import { StreamTokens } from './stream-token';
import { handle } from './validation';

/** What the dashboard's API routes need. */
export interface DashboardApiOptions {
  requestTimeoutMs: number;
  /** The gateway's API_TOKEN, when it has one. */
  apiToken: string | undefined;
  jsonBody: RequestHandler;
  stream: EventStreamOptions & { pollMs: number };
}

const MAX_REVISION_BYTES = 1024 * 1024;

/**
 * Registers `GET /sessions/{id}/events`, `POST /auth/stream-token` and
 * `GET /sessions/{id}/artifacts/{name}/revisions`. The stream takes the bearer header or a stream token.
 */
export function registerDashboardApiRoutes(router: Express, o: Orchestrator, options: DashboardApiOptions): void {
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
    DASHBOARD_OPERATIONS.streamToken,
    bearer,
    handle(DASHBOARD_OPERATIONS.streamToken, async ({ body }, res) => {
      await within(() => o.getSessionStatus(body.session_id));
      const issued = (tokens ?? new StreamTokens('no API_TOKEN: the stream is open anyway')).issue(body.session_id);
      res.json({ token: issued.token, expires_at: issued.expiresAt.toISOString() });
    }),
  );

  route(
    DASHBOARD_OPERATIONS.sessionEvents,
    streamAuth,
    handle(DASHBOARD_OPERATIONS.sessionEvents, async ({ params, query }, res, req) => {
      const resumeFrom = req.get('last-event-id') ?? query.last_event_id;
      const cursor = resumeFrom === undefined || resumeFrom === '' ? { audit: 0, log: 0 } : parseEventId(resumeFrom);
      if (!cursor) throw new HttpError(400, 'validation_error', 'Last-Event-ID: not an id this stream sent (<audit>-<logOffset>)');
      await streamSessionEvents(hub, params.id ?? '', cursor, res, options.stream);
    }),
  );

  route(
    DASHBOARD_OPERATIONS.getArtifactRevisions,
    bearer,
    handle(DASHBOARD_OPERATIONS.getArtifactRevisions, async ({ params }, res) => {
      await within(() => o.sessions.workDir(params.id ?? ''));
      const name = ArtifactNameSchema.safeParse(params.name);
      if (!name.success) {
        throw new HttpError(404, 'artifact_not_found', `Unknown artifact ${JSON.stringify(params.name)}; one of ${ArtifactNameSchema.options.join(', ')}`);
      }
      const kept = await within(() => o.getArtifactRevisions(params.id ?? '', name.data, 16 * MAX_REVISION_BYTES));
      if (kept.length === 0) throw new HttpError(404, 'artifact_not_found', `${name.data} has not been produced yet`);
      const revisions = kept.map(({ revision, current, path, text }) => {
        const shown = text.length > MAX_REVISION_BYTES ? `${text.slice(0, MAX_REVISION_BYTES)}\n…(cut at 1 MiB)` : text;
        return { revision, current, path, bytes: Buffer.byteLength(shown), text: shown };
      });
      res.json({ name: name.data, revisions });
    }),
  );
}
