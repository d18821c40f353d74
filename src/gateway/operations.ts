/**
 * Every operation of the gateway: its route, the schemas its input is validated with and the responses it
 * documents. Routes and the OpenAPI document are both built from this table.
 */
import { z } from 'zod';
import {
  ApproveBody,
  ArtifactNameSchema,
  ArtifactsSchema,
  BudgetBody,
  EmptyBody,
  HealthSchema,
  HistorySchema,
  ListSessionsQuery,
  LogsQuery,
  NoQuery,
  ReadinessSchema,
  RejectBody,
  RunningSchema,
  schemaRegistry,
  SessionInfoSchema,
  SessionListSchema,
  StartSessionBody,
} from './schemas';
import { errorResponse as error, type Operation, SESSION_NOT_FOUND as notFound } from './operation-spec';
import { EVENT_STREAM_OPERATIONS } from './event-stream-operations';
import { GIT_OPERATIONS } from './git-operations';

const notAwaiting = error(
  'The session is not awaiting approval (invalid_operation); or review_round names a round that is not the open one ' +
    '(stale_review: nothing changed, and the body’s session member has the open round).',
);
const decisionPending = error(
  'Temporal or a worker did not confirm in time (temporal_unavailable, decision_not_confirmed). A decision may still ' +
    'apply later: retry with the same Idempotency-Key (echoed in the response header) to learn the outcome.',
);
const keyReused = error('The Idempotency-Key was already used on this session with another body; the first request’s outcome stands (idempotency_key_reused).');

/** The body of getArtifactRevisions. */
const ArtifactRevisionsSchema = z
  .object({
    name: ArtifactNameSchema,
    revisions: z.array(
      z
        .object({
          revision: z.int().min(1).describe('1 is the first version; the highest is the current file'),
          current: z.boolean(),
          path: z.string().describe('relative to work_dir'),
          bytes: z.int().min(0),
          text: z.string(),
        })
        .strict(),
    ),
  })
  .strict();
schemaRegistry.add(ArtifactRevisionsSchema, {
  id: 'ArtifactRevisions',
  description: 'Every kept revision of an artifact with its text, oldest first; the last is the current file.',
});

/** The operations, in the order the document lists them. */
export const OPERATIONS = {
  startSession: {
    operationId: 'startSession',
    method: 'post',
    path: '/sessions',
    summary: 'Start a session',
    tag: 'sessions',
    query: NoQuery,
    body: StartSessionBody,
    idempotencyKey:
      'A retry with the same key returns the same session (201 again) instead of starting a second one, from any ' +
      'replica and after restarts, while the session is within retention. Reusing a key with a different body is a 422.',
    authenticated: true,
    responses: {
      201: { description: 'The new session (or the one this Idempotency-Key started).', schema: SessionInfoSchema },
      400: error('Blank or missing user_mission, unknown field, malformed JSON (validation_error, malformed_json).'),
      413: error('Body larger than the limit (payload_too_large).'),
      422: error('Idempotency-Key already used with a different body (idempotency_key_reused), or a notify_url whose host is not allowed (notify_url_not_allowed).'),
      429: error('Too many active sessions (too_many_sessions).'),
    },
  },
  listSessions: {
    operationId: 'listSessions',
    method: 'get',
    path: '/sessions',
    summary: 'List sessions, newest first',
    tag: 'sessions',
    query: ListSessionsQuery,
    authenticated: true,
    responses: {
      200: { description: 'One page of sessions.', schema: SessionListSchema },
      400: error('Unknown status, bad limit or cursor, unknown parameter (validation_error).'),
    },
  },
  getSession: {
    operationId: 'getSession',
    method: 'get',
    path: '/sessions/:id',
    summary: 'A session’s status',
    tag: 'sessions',
    query: NoQuery,
    authenticated: true,
    responses: { 200: { description: 'The session.', schema: SessionInfoSchema }, 404: notFound },
  },
  approveSession: {
    operationId: 'approveSession',
    method: 'post',
    path: '/sessions/:id/approve',
    summary:
      'Approve the documents in review; the session continues with the engineer. Send review_round to approve only the round ' +
      'you saw; without it the approval applies to whatever review is open.',
    tag: 'sessions',
    query: NoQuery,
    body: ApproveBody,
    bodyOptional: true,
    idempotencyKey: 'Used as the decision’s update id: a retry returns the first outcome and never decides twice; the key with another body is a 422.',
    authenticated: true,
    responses: {
      200: { description: 'The session after the decision (status running, phase engineer).', schema: SessionInfoSchema },
      400: error('Unknown field, malformed JSON, or a review_round that is not an integer of at least 1 (validation_error, malformed_json).'),
      404: notFound,
      409: notAwaiting,
      422: keyReused,
      503: decisionPending,
    },
  },
  rejectSession: {
    operationId: 'rejectSession',
    method: 'post',
    path: '/sessions/:id/reject',
    summary:
      'Reject the documents in review with feedback; reject_to runs again. Send review_round to reject only the round you ' +
      'saw; without it the rejection applies to whatever review is open.',
    tag: 'sessions',
    query: NoQuery,
    body: RejectBody,
    idempotencyKey: 'Used as the decision’s update id: a retry returns the first outcome and never decides twice; the key with another body is a 422.',
    authenticated: true,
    responses: {
      200: {
        description: 'The session after the decision: running in reject_to with iteration_count + 1, or failed beyond max iterations.',
        schema: SessionInfoSchema,
      },
      400: error('Blank feedback, bad reject_to or review_round, unknown field, malformed JSON (validation_error, malformed_json).'),
      404: notFound,
      409: notAwaiting,
      422: keyReused,
      503: decisionPending,
    },
  },
  extendBudget: {
    operationId: 'extendBudget',
    method: 'post',
    path: '/sessions/:id/budget',
    summary:
      'Raise the session’s token cap by add_tokens, in any status but a final one; a session paused at its cap (status paused, ' +
      'pause_reason budget) resumes at the step it reached.',
    tag: 'sessions',
    query: NoQuery,
    body: BudgetBody,
    idempotencyKey: 'Used as the extension’s update id: a retry returns the first outcome and never adds the tokens twice; the key with another body is a 422.',
    authenticated: true,
    responses: {
      200: { description: 'The session after the extension (token_budget raised; running again when it was paused at the cap).', schema: SessionInfoSchema },
      400: error('add_tokens missing or not an integer from 1 to 1000000000, unknown field, malformed JSON (validation_error, malformed_json).'),
      404: notFound,
      409: error('The session already ended, or it has no token budget to extend (invalid_operation).'),
      422: keyReused,
      503: decisionPending,
    },
  },
  cancelSession: {
    operationId: 'cancelSession',
    method: 'post',
    path: '/sessions/:id/cancel',
    summary: 'Cancel a session in any non-final state',
    tag: 'sessions',
    query: NoQuery,
    body: EmptyBody,
    bodyOptional: true,
    authenticated: true,
    responses: {
      200: { description: 'The session, cancelled.', schema: SessionInfoSchema },
      404: notFound,
      409: error('The session already ended (invalid_operation).'),
      503: error('Temporal unavailable, or no worker confirmed the cancellation yet (cancel_not_confirmed); it is recorded and applies when a worker runs.'),
    },
  },
  getHistory: {
    operationId: 'getHistory',
    method: 'get',
    path: '/sessions/:id/history',
    summary: 'The session’s audit trail',
    tag: 'sessions',
    query: NoQuery,
    authenticated: true,
    responses: {
      200: { description: 'Phases, decisions and artifact revisions.', schema: HistorySchema },
      404: notFound,
      503: error('No worker answered the query (worker_unavailable), or Temporal is unavailable (temporal_unavailable).'),
    },
  },
  getArtifacts: {
    operationId: 'getArtifacts',
    method: 'get',
    path: '/sessions/:id/artifacts',
    summary: 'Paths of the session’s artifacts',
    tag: 'sessions',
    query: NoQuery,
    authenticated: true,
    responses: { 200: { description: 'Paths, null until produced.', schema: ArtifactsSchema }, 404: notFound },
  },
  getArtifact: {
    operationId: 'getArtifact',
    method: 'get',
    path: '/sessions/:id/artifacts/:name',
    summary: 'The text of one artifact (prd, tech_spec, scaffold or bug_report)',
    tag: 'sessions',
    query: NoQuery,
    authenticated: true,
    responses: {
      200: { description: 'The file’s text.', contentTypes: ['text/markdown; charset=utf-8', 'text/x-shellscript; charset=utf-8'] },
      404: error('Unknown session (session_not_found), unknown artifact name or not produced yet (artifact_not_found).'),
    },
  },
  getArtifactRevisions: {
    operationId: 'getArtifactRevisions',
    method: 'get',
    path: '/sessions/:id/artifacts/:name/revisions',
    summary: 'Every kept revision of an artifact with its text (to diff what a rejection changed)',
    tag: 'sessions',
    query: NoQuery,
    authenticated: true,
    responses: {
      200: { description: 'The revisions, oldest first.', schema: ArtifactRevisionsSchema },
      404: error('Unknown session (session_not_found), unknown artifact name or not produced yet (artifact_not_found).'),
    },
  },
  getLogs: {
    operationId: 'getLogs',
    method: 'get',
    path: '/sessions/:id/logs',
    summary: 'The last lines of the session’s execution log',
    tag: 'sessions',
    query: LogsQuery,
    authenticated: true,
    responses: {
      200: { description: 'The last `lines` lines, oldest first.', contentTypes: ['text/plain; charset=utf-8'] },
      400: error('lines is not an integer from 1 to 10000 (validation_error).'),
      404: notFound,
    },
  },
  isRunning: {
    operationId: 'isRunning',
    method: 'get',
    path: '/sessions/:id/running',
    summary: 'Whether an agent phase of the session is executing',
    tag: 'sessions',
    query: NoQuery,
    authenticated: true,
    responses: { 200: { description: 'Running or not.', schema: RunningSchema }, 404: notFound },
  },
  health: {
    operationId: 'health',
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    tag: 'operations',
    query: NoQuery,
    authenticated: false,
    responses: { 200: { description: 'Healthy.', schema: HealthSchema }, 503: { description: 'Unhealthy (shutting down).', schema: HealthSchema } },
  },
  readiness: {
    operationId: 'readiness',
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: Temporal answers',
    tag: 'operations',
    query: NoQuery,
    authenticated: false,
    responses: { 200: { description: 'Ready.', schema: ReadinessSchema }, 503: { description: 'Not ready.', schema: ReadinessSchema } },
  },
  metrics: {
    operationId: 'metrics',
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    query: NoQuery,
    authenticated: false,
    responses: { 200: { description: 'Prometheus text format.', contentTypes: ['text/plain; version=0.0.4; charset=utf-8'] } },
  },
  openapi: {
    operationId: 'openapi',
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'operations',
    query: NoQuery,
    authenticated: false,
    responses: { 200: { description: 'The OpenAPI 3.1 document.', contentTypes: ['application/json'] } },
  },
  ...EVENT_STREAM_OPERATIONS,
  ...GIT_OPERATIONS,
} as const satisfies Record<string, Operation>;
