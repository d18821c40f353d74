/**
 * The product's words, written once: statuses, phases, artifacts and their paths, reject targets, the session-id
 * pattern and the limits of what a client may send. It imports nothing, so the workflow sandbox, the worker, the
 * gateway, the CLI and the dashboard's browser bundle all load it without the Temporal SDK or zod.
 * workflows/definitions.ts re-exports it beside the Temporal message definitions.
 */

const STATUS_VALUES = {
  /** Started; no worker has picked up its first phase yet. */
  PENDING: 'pending',
  /** An agent phase is executing. */
  RUNNING: 'running',
  /** Waiting in review for a human decision. */
  AWAITING_APPROVAL: 'awaiting_approval',
  /** Stopped where it was until a person acts (`pauseReason` says why: the token budget is spent). */
  PAUSED: 'paused',
  COMPLETED: 'completed',
  FAILED: 'failed',
  /** The review timer fired before anyone decided. */
  EXPIRED: 'expired',
  CANCELLED: 'cancelled',
} as const;

/** Lifecycle status of a session (the spec's `SessionStatus`, plus `cancelled`). */
export type SessionStatus = (typeof STATUS_VALUES)[keyof typeof STATUS_VALUES];

/**
 * The statuses by constant name, used like an enum (`SessionStatus.RUNNING`). Each member is typed as the whole
 * {@link SessionStatus}, as an enum's members widen to the enum: `[SessionStatus.COMPLETED, SessionStatus.FAILED]`
 * is a `SessionStatus[]`. A plain object rather than an `enum`, so JSON's strings are statuses without casts.
 */
export const SessionStatus: { readonly [Name in keyof typeof STATUS_VALUES]: SessionStatus } = STATUS_VALUES;

/** Every status, in the order of {@link SessionStatus}. */
export const SESSION_STATUSES: readonly SessionStatus[] = Object.values(SessionStatus);

/** Statuses a session never leaves. */
export const FINAL_STATUSES: readonly SessionStatus[] = [
  SessionStatus.COMPLETED,
  SessionStatus.FAILED,
  SessionStatus.EXPIRED,
  SessionStatus.CANCELLED,
];

/** Final statuses that are not a success. */
export const UNSUCCESSFUL_STATUSES: readonly SessionStatus[] = [SessionStatus.FAILED, SessionStatus.EXPIRED, SessionStatus.CANCELLED];

/** Statuses that count against `maxActiveSessions`. */
export const ACTIVE_STATUSES: readonly SessionStatus[] = [
  SessionStatus.PENDING,
  SessionStatus.RUNNING,
  SessionStatus.AWAITING_APPROVAL,
  SessionStatus.PAUSED,
];

/** Whether `value` is a status (a search attribute or a JSON field read back as a string). */
export function isSessionStatus(value: unknown): value is SessionStatus {
  return (SESSION_STATUSES as readonly unknown[]).includes(value);
}

/** Why a session is paused: `budget`, its token budget is spent. */
export const PAUSE_REASONS = ['budget'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

/** Phases in `current_phase` terms, in the order a session walks them. */
export const PHASES = ['pm', 'architect', 'review', 'engineer', 'qa', 'done'] as const;
export type Phase = (typeof PHASES)[number];

/** Whether `value` is a phase. */
export function isPhase(value: unknown): value is Phase {
  return (PHASES as readonly unknown[]).includes(value);
}

/** The phases an agent activity runs, in order. */
export const AGENT_PHASES = ['pm', 'architect', 'engineer', 'qa'] as const;
export type AgentPhase = (typeof AGENT_PHASES)[number];

/** Where a rejection may send a session back to. */
export const REJECT_TARGETS = ['pm', 'architect'] as const;
export type RejectTarget = (typeof REJECT_TARGETS)[number];

/** Where a rejection that names no target sends the session. */
export const DEFAULT_REJECT_TARGET: RejectTarget = 'architect';

/** Where each document artifact lives, relative to the session's work directory. */
export const ARTIFACT_PATHS = {
  prd: 'docs/PRD.md',
  tech_spec: 'docs/TECH_SPEC.md',
  scaffold: 'scaffold.sh',
  bug_report: 'docs/BUG_REPORT.md',
} as const;

/** The documents a session has, whose text the API serves (`GET /sessions/{id}/artifacts/{name}`). */
export type DocumentName = keyof typeof ARTIFACT_PATHS;
export const DOCUMENT_NAMES = ['prd', 'tech_spec', 'scaffold', 'bug_report'] as const satisfies readonly DocumentName[];

/** Names under which agents leave their files: the documents, and `code` for what the Engineer builds. */
export const ARTIFACT_NAMES = [...DOCUMENT_NAMES, 'code'] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

/** The session's execution log, relative to its work directory. */
export const SESSION_LOG_PATH = 'logs/session.log';

/** Prefix of every session id (and so of every session's workflow id). */
export const SESSION_ID_PREFIX = 'sess_';

/** A session id, unanchored (for patterns that contain one): the prefix and 1 to 64 URL-safe characters. */
export const SESSION_ID_SOURCE = `${SESSION_ID_PREFIX}[A-Za-z0-9_-]{1,64}`;

/** A whole session id; anything else names a session nobody will find. The same syntax in JS and Python's re. */
export const SESSION_ID_PATTERN = new RegExp(`^${SESSION_ID_SOURCE}$`);

/** Longest mission a session may be started with, in characters (code points); it travels in every session's memo. */
export const MAX_MISSION_LENGTH = 10_000;

/** Longest project name, in characters (code points). */
export const MAX_PROJECT_NAME_LENGTH = 100;

/** Longest feedback a decision may carry, in characters. */
export const MAX_FEEDBACK_LENGTH = 20_000;

/** Most tokens one budget extension may add. */
export const MAX_BUDGET_EXTENSION_TOKENS = 1_000_000_000;
