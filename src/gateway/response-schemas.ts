/**
 * The gateway's response bodies as zod schemas: the OpenAPI document is generated from them and the clients'
 * wire types (./wire) are derived from them. Only zod and the product's vocabulary: the dashboard's browser
 * code type-checks against this file.
 */
import { z } from 'zod';
import { AGENT_PHASES, DOCUMENT_NAMES, type DocumentName, PAUSE_REASONS, PHASES, REJECT_TARGETS, SessionStatus } from '../../workflows/vocabulary';
import { named, timestamp } from './schema-registry';

export const SessionStatusSchema = named(z.enum(SessionStatus), 'SessionStatus', 'Lifecycle status of a session.');
export const PhaseSchema = named(z.enum(PHASES), 'Phase', 'Phase of a session, in the order a session walks them.');
/** Where a rejection sends the session back to. */
export const RejectTargetSchema = z.enum(REJECT_TARGETS);

export const LastErrorSchema = named(
  z
    .object({
      phase: z.enum(AGENT_PHASES),
      message: z.string().describe('the failure, with anything that looks like a credential redacted'),
      reason: z.string().nullable().describe('the failure type, e.g. SandboxUnavailable; see docs/operations.md, "Faults and retries"'),
      attempt: z.int().min(1).describe('the attempt that failed'),
      next_attempt_at: timestamp.nullable().describe('when Temporal tries again; null while an attempt runs'),
    })
    .strict(),
  'LastError',
  'Why the current phase is retrying (an environment fault is retried for PHASE_RETRY_WINDOW_SECONDS while the session stays running).',
);

export const SessionInfoSchema = named(
  z
    .object({
      session_id: z.string(),
      user_mission: z.string(),
      project_name: z.string().nullable(),
      status: SessionStatusSchema,
      current_phase: PhaseSchema,
      created_at: timestamp,
      updated_at: timestamp,
      iteration_count: z.int().min(0),
      review_round: z
        .int()
        .min(0)
        .nullable()
        .describe('reviews opened so far: 0 before the first, the open one while awaiting_approval; null for sessions started before review rounds'),
      qa_passed: z.boolean(),
      work_dir: z.string(),
      last_error: LastErrorSchema.nullable().describe('why the current phase is retrying; null when it is not, and always null in lists'),
      pause_reason: z.enum(PAUSE_REASONS).nullable().describe('why the session is paused (status paused): budget, its token budget is spent; else null'),
      tokens_used: z
        .int()
        .min(0)
        .nullable()
        .describe('model tokens spent so far, prompt and completion, every phase; null for sessions started before token accounting'),
      token_budget: z.int().min(1).nullable().describe('the token cap (SESSION_TOKEN_BUDGET at the start, plus extensions); null: unlimited'),
      cost: z
        .number()
        .min(0)
        .nullable()
        .describe('what tokens_used cost at MODEL_PRICE_PER_MTOK_IN / _OUT as set when the session started; null when no prices were set'),
    })
    .strict(),
  'SessionInfo',
  'A session as the spec describes it.',
);

export const SessionListSchema = named(
  z.object({ sessions: z.array(SessionInfoSchema), next_cursor: z.string().nullable() }).strict(),
  'SessionList',
  'One page of sessions, newest first; pass next_cursor as cursor for the next page (null on the last).',
);

export const ErrorSchema = named(
  z
    .object({
      error: z
        .object({
          code: z.string().regex(/^[a-z][a-z0-9_]*$/).describe('snake_case, stable: match on this'),
          message: z.string().describe('what is wrong, for a human'),
        })
        .strict(),
      session: SessionInfoSchema.optional().describe('stale_review only: the session as it is now, with the open review_round'),
    })
    .strict(),
  'Error',
  'Every error response has this body.',
);

export const ArtifactsSchema = named(
  z
    .object({
      prd: z.string().nullable(),
      tech_spec: z.string().nullable(),
      scaffold: z.string().nullable(),
      bug_report: z.string().nullable(),
      work_dir: z.string(),
    } satisfies Record<DocumentName | 'work_dir', z.ZodType>)
    .strict(),
  'Artifacts',
  'Absolute paths of the session’s artifacts, null until the phase that writes one has run.',
);

/** Artifacts whose text `GET /sessions/{id}/artifacts/{name}` serves. */
export const ArtifactNameSchema = z.enum(DOCUMENT_NAMES);

export const RunningSchema = named(z.object({ running: z.boolean() }).strict(), 'Running', 'Whether an agent phase is executing now.');

const ArtifactRevisionSchema = named(
  z
    .object({
      name: z.string(),
      path: z.string().describe('relative to work_dir'),
      sha256: z.string(),
      bytes: z.int().min(0),
      phase: PhaseSchema,
      iteration: z.int().min(0),
      at: timestamp,
    })
    .strict(),
  'ArtifactRevision',
  'One revision of an artifact, as the phase that wrote it reported it.',
);

export const HistorySchema = named(
  z
    .object({
      session_id: z.string(),
      status: SessionStatusSchema,
      phases: z.array(
        z
          .object({
            phase: PhaseSchema,
            iteration: z.int().min(0),
            review_round: z
              .int()
              .min(0)
              .nullable()
              .describe('the round it fed: pm and architect the next review, review its own, engineer and qa the approved one'),
            started_at: timestamp,
            ended_at: timestamp.nullable(),
            artifacts: z.array(ArtifactRevisionSchema),
          })
          .strict(),
      ),
      decisions: z.array(
        z
          .object({
            decision: z.enum(['approve', 'reject']),
            review_round: z.int().min(1).nullable().describe('the round it answered; null from workers older than review rounds'),
            documents: z
              .object({ prd: z.string().nullable(), tech_spec: z.string().nullable(), scaffold: z.string().nullable() })
              .strict()
              .nullable()
              .describe('sha256 of each document open in that round'),
            at: timestamp,
            by: z.string().nullable(),
            via: z.enum(['update', 'signal']).describe('update: through the API; signal: an operator (CLI, Web UI)'),
            feedback: z.string().nullable(),
            reject_to: RejectTargetSchema.nullable(),
          })
          .strict(),
      ),
      artifact_revisions: z.array(ArtifactRevisionSchema),
      events: z.array(z.looseObject({ kind: z.string(), at: timestamp })).describe('the raw audit events, oldest first'),
      deliveries: z
        .array(
          z
            .object({
              event_id: z.string().describe('the webhook-id'),
              type: z.string(),
              host: z.string().describe('the receiver’s host (never its path or query)'),
              outcome: z.enum(['delivered', 'gave_up']),
              attempts: z.int().min(0),
              last_status: z.int().nullable().describe('the receiver’s last HTTP status; null when it never answered'),
              last_error: z.string().nullable(),
              at: timestamp,
            })
            .strict(),
        )
        .describe('webhook deliveries so far, oldest first (empty without webhooks)'),
    })
    .strict(),
  'SessionHistory',
  'The audit trail: phases with start and end times, every decision, and artifact revisions.',
);

export const HealthSchema = named(
  z.object({ status: z.enum(['healthy', 'unhealthy']), timestamp }).strict(),
  'Health',
  'Liveness of the gateway process.',
);

export const ReadinessSchema = named(
  z
    .object({
      status: z.enum(['ready', 'not_ready']),
      database: z.enum(['connected', 'disconnected']).describe('whether Temporal answers'),
      timestamp,
      error: z.string().optional(),
    })
    .strict(),
  'Readiness',
  'Whether the gateway can serve: Temporal answers.',
);
