/**
 * The operations the dashboard added to the API: the live event stream, short-lived stream tokens and
 * artifact revisions. Their schemas join the same registry, so the OpenAPI document describes them too.
 */
import { z } from 'zod';
import type { Operation, ResponseSpec } from './operations';
import { ARTIFACT_NAMES, PHASES, SessionStatus } from '../../workflows/definitions';
import { ArtifactNameSchema, chars, ErrorSchema, schemaRegistry, SessionInfoSchema } from './schemas';

const error = (description: string): ResponseSpec => ({ description, schema: ErrorSchema });
const notFound = error('No session with that id (session_not_found).');

/** Body of `POST /auth/stream-token`. */
export const StreamTokenBody = z.object({ session_id: chars(1, 100).describe('the session whose events the token opens') }).strict();

export const StreamTokenSchema = z
  .object({
    token: z.string().describe('pass as access_token to GET /sessions/{id}/events'),
    expires_at: z.iso.datetime().describe('ISO 8601, UTC; the stream checks it when it opens'),
  })
  .strict();
schemaRegistry.add(StreamTokenSchema, { id: 'StreamToken', description: 'A short-lived token that opens one session’s event stream.' });

/** An event id of the stream: `<audit entries>-<log bytes>` delivered so far (see session-feed.ts). */
export const EventIdSchema = z.string().regex(/^\d{1,9}-\d{1,15}$/);

/** Query of `GET /sessions/{id}/events`. */
export const EventsQuery = z
  .object({
    access_token: chars(1, 1000).optional().describe('a stream token from POST /auth/stream-token (instead of the Authorization header)'),
    last_event_id: EventIdSchema.optional().describe('resume after this event id (the Last-Event-ID header wins)'),
  })
  .strict();

/** The `data` of each event of `GET /sessions/{id}/events`, by event name. */
export const SESSION_EVENTS = {
  session: SessionInfoSchema,
  audit: z
    .object({
      index: z.int().min(0).describe('position in the audit trail'),
      event: z.looseObject({ kind: z.string(), at: z.iso.datetime() }).describe('the audit entry, as in the history'),
      status: z.enum(SessionStatus).describe('the session’s status right after this entry'),
      phase: z.enum(PHASES),
      iteration: z.int().min(0),
    })
    .strict(),
  log: z.object({ line: z.string().describe('one line of the session’s log, without its newline') }).strict(),
  artifact: z
    .object({
      index: z.int().min(0).describe('the audit entry (phase_completed) that wrote it'),
      name: z.enum(ARTIFACT_NAMES),
      path: z.string().describe('relative to work_dir'),
      sha256: z.string(),
      bytes: z.int().min(0),
    })
    .strict(),
  notice: z.object({ code: z.string(), message: z.string() }).strict(),
} satisfies Record<string, z.ZodType>;

export const ArtifactRevisionsSchema = z
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

const NoQuery = z.object({}).strict();

/** The dashboard's operations, merged into the gateway's table. */
export const DASHBOARD_OPERATIONS = {
  sessionEvents: {
    operationId: 'sessionEvents',
    method: 'get',
    path: '/sessions/:id/events',
    summary:
      'Server-Sent Events of one session: `session` snapshots (no id), `audit` entries and `log` lines (ids `<audit>-<logOffset>`, ' +
      'resumable with Last-Event-ID without gaps or repeats), `artifact` after an audit entry that wrote a new revision (name, path, ' +
      'sha256, bytes), `notice` when Temporal does not answer; comment heartbeats. One watcher per session serves every stream',
    tag: 'sessions',
    query: EventsQuery,
    headers: {
      'Last-Event-ID': {
        description: 'resume after this event id (EventSource sends it when it reconnects); empty starts from the beginning',
        schema: z.union([EventIdSchema, z.literal('')]),
      },
    },
    authenticated: true,
    responses: {
      200: { description: 'The event stream; it stays open until the client closes it.', contentTypes: ['text/event-stream'], events: SESSION_EVENTS },
      400: error('A malformed Last-Event-ID or unknown parameter (validation_error).'),
      404: notFound,
    },
  },
  streamToken: {
    operationId: 'streamToken',
    method: 'post',
    path: '/auth/stream-token',
    summary: 'A short-lived token (5 minutes) that opens one session’s event stream, since EventSource cannot send headers',
    tag: 'sessions',
    query: NoQuery,
    body: StreamTokenBody,
    authenticated: true,
    responses: { 200: { description: 'The token.', schema: StreamTokenSchema }, 404: notFound },
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
} as const satisfies Record<string, Operation>;
