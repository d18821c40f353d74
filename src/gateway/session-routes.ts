import { randomUUID } from 'node:crypto';
import type { Express, RequestHandler } from 'express';
import { type DocumentName, FINAL_STATUSES, SessionStatus } from '../../workflows/definitions';
import type { Orchestrator } from '../orchestration/orchestrator';
import { HttpError } from './http-errors';
import type { Operation } from './operation-spec';
import { OPERATIONS } from './operations';
import { artifactsJson, historyJson, sessionJson } from './presenters';
import { markRoute } from './request-log';
import { ArtifactNameSchema } from './schemas';
import { handle } from './validation';

/** Time bounds of the session routes. */
export interface SessionRouteOptions {
  /** Bound on a read or a start. */
  requestTimeoutMs: number;
  /** How long a decision waits for a worker before a 503. */
  decisionTimeoutMs: number;
  /** How long a cancellation waits for the workflow to confirm before a 503. */
  cancelWaitMs: number;
  /** Bearer auth for the session routes, when the gateway has a token. */
  auth: RequestHandler | null;
  /** Parses JSON bodies; runs after auth, so an unauthenticated caller's body is never read. */
  jsonBody: RequestHandler;
}

const ARTIFACT_CONTENT_TYPES: Record<DocumentName, string> = {
  prd: 'text/markdown; charset=utf-8',
  tech_spec: 'text/markdown; charset=utf-8',
  scaffold: 'text/x-shellscript; charset=utf-8',
  bug_report: 'text/markdown; charset=utf-8',
};

/** The most of one revision's text a response carries. */
const MAX_REVISION_BYTES = 1024 * 1024;

/**
 * Registers every /sessions route on `router`: thin handlers that validate, call one Orchestrator method under
 * one deadline (`within`, or the call's own: a decision's, the audit trail's), and answer snake_case JSON.
 */
export function registerSessionRoutes(router: Express, orchestrator: Orchestrator, options: SessionRouteOptions): void {
  const o = orchestrator;
  const within = <T>(fn: () => Promise<T>, ms = options.requestTimeoutMs): Promise<T> => o.withDeadline(ms, fn);
  const route = (op: Operation, handler: RequestHandler): void => {
    const chain = [markRoute, ...(op.authenticated && options.auth ? [options.auth] : []), ...(op.body ? [options.jsonBody] : []), handler];
    router[op.method](op.path, ...chain);
  };

  route(
    OPERATIONS.startSession,
    handle(OPERATIONS.startSession, async ({ body, idempotencyKey }, res) => {
      const id = await within(() => o.startNewSession(body.user_mission, body.project_name ?? null, { idempotencyKey, notifyUrl: body.notify_url ?? null }));
      res.locals.sessionId = id;
      const info = await within(() => o.getSessionStatus(id));
      res.status(201).location(`/sessions/${id}`).json(sessionJson(info));
    }),
  );

  route(
    OPERATIONS.listSessions,
    handle(OPERATIONS.listSessions, async ({ query }, res) => {
      const page = await within(() => o.listSessionPage(query));
      res.json({ sessions: page.sessions.map(sessionJson), next_cursor: page.nextCursor });
    }),
  );

  route(
    OPERATIONS.getSession,
    handle(OPERATIONS.getSession, async ({ params }, res) => {
      res.json(sessionJson(await within(() => o.getSessionStatus(params.id ?? ''))));
    }),
  );

  route(
    OPERATIONS.approveSession,
    handle(OPERATIONS.approveSession, async ({ params, body, idempotencyKey }, res) => {
      const key = idempotencyKey ?? randomUUID();
      res.set('Idempotency-Key', key);
      const decision = { by: body.by ?? 'api', decisionId: `approve:${key}`, timeoutMs: options.decisionTimeoutMs, reviewRound: body.review_round };
      res.json(sessionJson(await o.approveAndContinue(params.id ?? '', decision)));
    }),
  );

  route(
    OPERATIONS.rejectSession,
    handle(OPERATIONS.rejectSession, async ({ params, body, idempotencyKey }, res) => {
      const key = idempotencyKey ?? randomUUID();
      res.set('Idempotency-Key', key);
      const decision = { by: body.by ?? 'api', decisionId: `reject:${key}`, timeoutMs: options.decisionTimeoutMs, reviewRound: body.review_round };
      const info = await o.rejectAndIterate(params.id ?? '', body.feedback, body.reject_to, decision);
      res.json(sessionJson(info));
    }),
  );

  route(
    OPERATIONS.extendBudget,
    handle(OPERATIONS.extendBudget, async ({ params, body, idempotencyKey }, res) => {
      const key = idempotencyKey ?? randomUUID();
      res.set('Idempotency-Key', key);
      const extension = { by: body.by ?? 'api', extensionId: `budget:${key}`, timeoutMs: options.decisionTimeoutMs };
      res.json(sessionJson(await o.extendBudget(params.id ?? '', body.add_tokens, extension)));
    }),
  );

  route(
    OPERATIONS.cancelSession,
    handle(OPERATIONS.cancelSession, async ({ params }, res) => {
      const info = await within(() => o.cancelSession(params.id ?? '', options.cancelWaitMs), options.cancelWaitMs + options.requestTimeoutMs);
      if (info.status === SessionStatus.CANCELLED) {
        res.json(sessionJson(info));
      } else if (FINAL_STATUSES.includes(info.status)) {
        throw new HttpError(409, 'invalid_operation', `session ${info.sessionId} ended with status ${info.status} before the cancellation applied`);
      } else {
        throw new HttpError(
          503,
          'cancel_not_confirmed',
          `The cancellation of ${info.sessionId} is recorded in Temporal but no worker confirmed it within ${options.cancelWaitMs} ms; ` +
            'it applies when a worker picks the session up. Repeating the request is safe.',
          { 'Retry-After': '5' },
        );
      }
    }),
  );

  route(
    OPERATIONS.getHistory,
    handle(OPERATIONS.getHistory, async ({ params }, res) => {
      const history = await o.getHistory(params.id ?? '', options.requestTimeoutMs);
      res.json(historyJson(history));
    }),
  );

  route(
    OPERATIONS.getArtifacts,
    handle(OPERATIONS.getArtifacts, async ({ params }, res) => {
      res.json(artifactsJson(await within(() => o.getArtifacts(params.id ?? ''))));
    }),
  );

  route(
    OPERATIONS.getArtifact,
    handle(OPERATIONS.getArtifact, async ({ params }, res) => {
      const name = ArtifactNameSchema.safeParse(params.name);
      if (!name.success) {
        await within(() => o.getSessionStatus(params.id ?? ''));
        throw new HttpError(404, 'artifact_not_found', `Unknown artifact ${JSON.stringify(params.name)}; one of ${ArtifactNameSchema.options.join(', ')}`);
      }
      const text = await within(() => o.readArtifact(params.id ?? '', name.data));
      if (text === null) throw new HttpError(404, 'artifact_not_found', `${name.data} has not been produced yet`);
      res.type(ARTIFACT_CONTENT_TYPES[name.data]).send(text);
    }),
  );

  route(
    OPERATIONS.getArtifactRevisions,
    handle(OPERATIONS.getArtifactRevisions, async ({ params }, res) => {
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

  route(
    OPERATIONS.getLogs,
    handle(OPERATIONS.getLogs, async ({ params, query }, res) => {
      const { text, end } = await within(() => o.getLogTail(params.id ?? '', query.lines));
      // Where the event stream's log lines continue from: `logs --follow` resumes there (Last-Event-ID `<n>-<end>`).
      res.set('X-Log-End-Offset', String(end)).type('text/plain; charset=utf-8').send(text);
    }),
  );

  route(
    OPERATIONS.isRunning,
    handle(OPERATIONS.isRunning, async ({ params }, res) => {
      res.json({ running: await within(() => o.isRunning(params.id ?? '')) });
    }),
  );
}
