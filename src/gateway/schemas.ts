/**
 * The gateway's wire format as zod schemas: requests are validated with them and the OpenAPI document is
 * generated from them, so the two cannot drift apart. JSON is snake_case, as the spec's SessionInfo.
 */
import { z } from 'zod';
import { MAX_BUDGET_EXTENSION_TOKENS, MAX_FEEDBACK_LENGTH } from '../../workflows/definitions';
import { PHASES, REJECT_TARGETS, SessionStatus } from '../../workflows/definitions';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../orchestration/idempotency';
import { MAX_MISSION_LENGTH, MAX_PROJECT_NAME_LENGTH, SESSION_CURSOR_PATTERN } from '../orchestration/orchestrator';

/** Where the named schemas of the OpenAPI document's `components.schemas` are registered. */
export const schemaRegistry = z.registry<{ id: string; description?: string }>();

function named<T extends z.ZodType>(schema: T, id: string, description: string): T {
  schemaRegistry.add(schema, { id, description });
  return schema;
}

const timestamp = z.iso.datetime().describe('ISO 8601, UTC');

/**
 * JSON Schema keywords a request schema stands for that zod cannot emit itself (see {@link chars}); the document
 * generator adds them.
 */
export const jsonSchemaKeywords = new WeakMap<z.ZodType, Record<string, unknown>>();

/** What else a {@link chars} string must satisfy. */
interface TextRules {
  /** A pattern it must match (emitted as `pattern`: keep it to syntax JS and Python's re read alike). */
  pattern?: RegExp;
  /** The error when it does not. */
  message?: string;
  /** Hand the handler the value trimmed (checks apply to the value as sent, as the document says). */
  trim?: boolean;
}

/**
 * A string of `min` to `max` characters as JSON Schema counts them, in code points (zod's `.max()` counts UTF-16
 * units, so an emoji would count twice and a string the document allows would be refused). Chain only wrappers
 * (optional, nullable) after it: the keywords belong to this instance.
 */
export function chars(min: number, max: number, rules: TextRules = {}): z.ZodString {
  let schema = z.string().refine((value) => {
    const length = [...value].length;
    return length >= min && length <= max;
  }, `must be ${min === 0 ? `at most ${max}` : `${min} to ${max}`} characters`);
  if (rules.pattern) schema = schema.regex(rules.pattern, rules.message);
  if (rules.trim) schema = schema.trim();
  jsonSchemaKeywords.set(schema, { minLength: min, maxLength: max });
  return schema;
}

/** Contains a character that String.prototype.trim keeps: not blank (the same class in JS and in Python's re). */
// eslint-disable-next-line no-control-regex
const NOT_BLANK = /[^\u0009-\u000d\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
/** No C0 control character or DEL anywhere. */
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

export const SessionStatusSchema = named(z.enum(SessionStatus), 'SessionStatus', 'Lifecycle status of a session.');
export const PhaseSchema = named(z.enum(PHASES), 'Phase', 'Phase of a session, in the order a session walks them.');
/** Where a rejection sends the session back to. */
export const RejectTargetSchema = z.enum(REJECT_TARGETS);

export const LastErrorSchema = named(
  z
    .object({
      phase: z.enum(['pm', 'architect', 'engineer', 'qa']),
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
      pause_reason: z.enum(['budget']).nullable().describe('why the session is paused (status paused): budget, its token budget is spent; else null'),
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
    })
    .strict(),
  'Artifacts',
  'Absolute paths of the session’s artifacts, null until the phase that writes one has run.',
);

/** Artifacts whose text `GET /sessions/{id}/artifacts/{name}` serves. */
export const ArtifactNameSchema = z.enum(['prd', 'tech_spec', 'scaffold', 'bug_report']);
export type ArtifactName = z.infer<typeof ArtifactNameSchema>;

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

// Requests.

const decidedBy = chars(1, 200, { pattern: NOT_BLANK, message: 'must not be blank', trim: true }).optional().describe('who decides; recorded in the audit trail');

/**
 * An http(s) URL whose host is DNS labels and whose port is 1 to 65535: everything it matches, URL() parses (the same
 * syntax in JS and Python's re, for the document).
 */
const NOTIFY_URL =
  /^https?:\/\/[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?(\/[\x21-\x7e]*)?$/;

/** Body of `POST /sessions`. */
export const StartSessionBody = z
  .object({
    user_mission: chars(1, MAX_MISSION_LENGTH, { pattern: NOT_BLANK, message: 'user_mission must not be blank', trim: true }),
    project_name: chars(0, MAX_PROJECT_NAME_LENGTH, { pattern: NO_CONTROL_CHARACTERS, message: 'project_name must not contain control characters' })
      .nullable()
      .optional()
      .describe('blank is the same as none'),
    notify_url: z
      .string()
      .max(2_000)
      .regex(NOTIFY_URL, 'notify_url must be an absolute http or https URL')
      .nullable()
      .optional()
      .describe('a webhook receiver of this session besides WEBHOOK_URLS; a host not in WEBHOOK_ALLOWED_HOSTS is refused with 422 notify_url_not_allowed'),
  })
  .strict();

const reviewRound = z
  .int('review_round must be an integer')
  .min(1, 'review_round must be at least 1')
  .optional()
  .describe(
    'the review round this decision answers (review_round of the session the reviewer saw); another round is refused with ' +
      '409 stale_review and changes nothing. Omitted: the decision applies to whatever review is open.',
  );

/** Body of `POST /sessions/{id}/approve` (optional). */
export const ApproveBody = z.object({ by: decidedBy, review_round: reviewRound }).strict();

/** Body of `POST /sessions/{id}/reject`; `reject_to` defaults to architect. */
export const RejectBody = z
  .object({
    feedback: chars(1, MAX_FEEDBACK_LENGTH, { pattern: NOT_BLANK, message: 'feedback must not be blank', trim: true }),
    reject_to: RejectTargetSchema.default('architect'),
    by: decidedBy,
    review_round: reviewRound,
  })
  .strict();

/** Body of `POST /sessions/{id}/budget`. */
export const BudgetBody = z
  .object({
    add_tokens: z
      .int('add_tokens must be an integer')
      .min(1, 'add_tokens must be at least 1')
      .max(MAX_BUDGET_EXTENSION_TOKENS, `add_tokens must be at most ${MAX_BUDGET_EXTENSION_TOKENS}`)
      .describe('tokens added to the cap'),
    by: decidedBy.describe('who extends; recorded in the audit trail'),
  })
  .strict();

/** A body that must be empty when present (cancel). */
export const EmptyBody = z.object({}).strict();

/** Query of `GET /sessions`. */
export const ListSessionsQuery = z
  .object({
    status: SessionStatusSchema.optional(),
    project: chars(1, MAX_PROJECT_NAME_LENGTH).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().regex(SESSION_CURSOR_PATTERN).optional().describe('next_cursor of the previous page'),
  })
  .strict();

/** Query of `GET /sessions/{id}/logs`. */
export const LogsQuery = z.object({ lines: z.coerce.number().int().min(1).max(10_000).default(50) }).strict();

/** Routes without query parameters refuse any. */
export const NoQuery = z.object({}).strict();

/** The optional `Idempotency-Key` request header. */
export const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(MAX_IDEMPOTENCY_KEY_LENGTH)
  .regex(/^[\x21-\x7e]+$/, 'visible ASCII characters only')
  .optional();
