/**
 * The gateway's wire format as zod schemas: requests are validated with them and the OpenAPI document is
 * generated from them, so the two cannot drift apart. JSON is snake_case, as the spec's SessionInfo. The
 * responses are in ./response-schemas (re-exported here), the building blocks in ./schema-registry.
 */
import { z } from 'zod';
import {
  DEFAULT_REJECT_TARGET,
  MAX_BUDGET_EXTENSION_TOKENS,
  MAX_FEEDBACK_LENGTH,
  MAX_MISSION_LENGTH,
  MAX_PROJECT_NAME_LENGTH,
  SESSION_ID_PATTERN,
} from '../../workflows/vocabulary';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../orchestration/idempotency';
import { SESSION_CURSOR_PATTERN } from '../orchestration/orchestrator';
import { ArtifactNameSchema, RejectTargetSchema, SessionStatusSchema } from './response-schemas';
import { chars } from './schema-registry';

export * from './response-schemas';
export { chars, jsonSchemaKeywords, schemaRegistry } from './schema-registry';

/** Contains a character that String.prototype.trim keeps: not blank (the same class in JS and in Python's re). */
// eslint-disable-next-line no-control-regex
const NOT_BLANK = /[^\u0009-\u000d\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
/** No C0 control character or DEL anywhere. */
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

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
    reject_to: RejectTargetSchema.default(DEFAULT_REJECT_TARGET),
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

/** The schema of each path parameter, by its name in the route (`:id`, `:name`). */
export const PATH_PARAMETERS = {
  id: z.string().regex(SESSION_ID_PATTERN),
  name: ArtifactNameSchema,
} satisfies Record<string, z.ZodType>;

/** Routes without query parameters refuse any. */
export const NoQuery = z.object({}).strict();

/** The optional `Idempotency-Key` request header. */
export const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(MAX_IDEMPOTENCY_KEY_LENGTH)
  .regex(/^[\x21-\x7e]+$/, 'visible ASCII characters only')
  .optional();
