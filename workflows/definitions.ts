/**
 * Everything a client, a worker and the session workflow share: message definitions, search-attribute keys,
 * the state shape and the activity contract, with the product's words of ./vocabulary re-exported. It has no
 * side effects, so both the workflow sandbox and ordinary Node code import values from it; code that must not
 * load the Temporal SDK (the CLI, the dashboard) imports ./vocabulary itself.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SessionNotifySettings } from './webhook-definitions';
import {
  AGENT_PHASES,
  type AgentPhase,
  type ArtifactName,
  type PauseReason,
  type Phase,
  type RejectTarget,
  type SessionStatus,
} from './vocabulary';

export * from './vocabulary';

/** The workflow type every session runs as. */
export const SESSION_WORKFLOW_TYPE = 'sessionWorkflow';

/** The phase an activity of the session works for, by its activity type (`engineer…` steps are the engineer's). */
export function phaseOfActivity(activityType: string): AgentPhase | null {
  for (const phase of AGENT_PHASES) {
    if (activityType === phase || activityType.startsWith(phase)) return phase;
  }
  return null;
}

/** A file an activity produced: where it is and what it hashed to, never its content. */
export interface ArtifactRef {
  name: ArtifactName;
  /** Path relative to the session's work directory. */
  path: string;
  sha256: string;
  bytes: number;
}

/** One piece of reviewer feedback, kept for every later phase to read. */
export interface FeedbackEntry {
  feedback: string;
  rejectTo: RejectTarget;
  /** The iteration this feedback opened. */
  iteration: number;
  at: string;
  by: string | null;
}

/** The sha256 of each document that was open in a review round, as a decision on it saw them. */
export interface ReviewedDocuments {
  prd: string | null;
  tech_spec: string | null;
  scaffold: string | null;
}

/**
 * An entry of the session's audit trail. `reviewRound` (absent from workers older than review rounds): on a phase, the round it fed (PM and Architect: the review their documents go to; review: its
 * own; Engineer and QA: the approved one); on a decision, the round it answered.
 */
export type SessionEvent =
  | { kind: 'phase_started'; phase: Phase; at: string; iteration: number; reviewRound?: number }
  | {
      kind: 'phase_completed';
      phase: Phase;
      at: string;
      iteration: number;
      artifacts: ArtifactRef[];
      usage?: TokenUsage;
      reviewRound?: number;
    }
  | { kind: 'approved'; at: string; by: string | null; via: 'update' | 'signal'; reviewRound?: number; documents?: ReviewedDocuments }
  | {
      kind: 'rejected';
      at: string;
      by: string | null;
      via: 'update' | 'signal';
      feedback: string;
      rejectTo: RejectTarget;
      reviewRound?: number;
      documents?: ReviewedDocuments;
    }
  | {
      /** One turn of the Engineer's loop: the action the model chose and what carrying it out gave. */
      kind: 'agent_turn';
      phase: 'engineer';
      at: string;
      iteration: number;
      turn: number;
      tool: string;
      /** One line, as in the session log (no file content). */
      summary: string;
      usage?: TokenUsage;
    }
  | { kind: 'qa_failed'; at: string; iteration: number; summary: string }
  | { kind: 'paused'; at: string; reason: PauseReason; phase: Phase; tokensUsed: number; tokenBudget: number }
  | { kind: 'budget_extended'; at: string; by: string | null; addTokens: number; tokenBudget: number }
  | { kind: 'resumed'; at: string; phase: Phase }
  | { kind: 'signal_ignored'; at: string; signal: string; reason: string }
  | { kind: 'session_ended'; at: string; status: SessionStatus; reason: string | null };

/** What the workflow knows about its session; returned by the state query (updates answer a {@link SessionSnapshot} of it). */
export interface SessionState {
  sessionId: string;
  userMission: string;
  projectName: string | null;
  workDir: string;
  status: SessionStatus;
  phase: Phase;
  iterationCount: number;
  maxIterations: number;
  /** Reviews opened so far: 0 before the first; while in review, the open one's number. */
  reviewRound: number;
  qaPassed: boolean;
  createdAt: string;
  updatedAt: string;
  /** Why a failed session failed. */
  failureReason: string | null;
  feedback: FeedbackEntry[];
  /** The latest revision of each artifact, by name. */
  artifacts: Partial<Record<ArtifactName, ArtifactRef>>;
  events: SessionEvent[];
  /** The session's token cap; null: unlimited. Absent on sessions started before token budgets. */
  tokenBudget?: number | null;
  /** Tokens spent so far, by phase and model. Absent on sessions started before token budgets. */
  tokens?: TokenTally[];
  /** Why the session is paused, while it is. */
  pauseReason?: PauseReason | null;
  /** The prices fixed at the start, when set. */
  prices?: ModelPrices | null;
}

/**
 * What a decision or a budget extension answers: the session's fields after it, without its audit trail, artifacts
 * and feedback (they grow with the session, and an update's answer is kept in its history). Sessions started before
 * the engineer-start patch answer their whole state, which has these fields too.
 */
export type SessionSnapshot = Pick<
  SessionState,
  | 'sessionId'
  | 'userMission'
  | 'projectName'
  | 'workDir'
  | 'status'
  | 'phase'
  | 'iterationCount'
  | 'reviewRound'
  | 'qaPassed'
  | 'createdAt'
  | 'updatedAt'
  | 'tokenBudget'
  | 'tokens'
  | 'pauseReason'
  | 'prices'
>;

/**
 * What a decision or budget update answers: the session's snapshot and the fingerprint of the arguments it applied
 * (see `argsFingerprint`). Workers from before the fingerprint answer without it.
 */
export type DecisionAnswer = SessionSnapshot & { argsFingerprint?: string };

/** Tokens one phase spent with one model, over the whole session. */
export interface TokenTally {
  phase: AgentPhase;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

/** Prices that turn tokens into cost, per million tokens (any currency); fixed at the session's start. */
export interface ModelPrices {
  inputPerMTok: number;
  outputPerMTok: number;
}

/**
 * What a session keeps in its memo under `usage` (upserted as it changes), so a listing or a status read shows
 * its tokens, cap and pause without asking a worker.
 */
export interface SessionUsageMemo {
  tokens: TokenTally[];
  tokenBudget: number | null;
  pauseReason: PauseReason | null;
  prices: ModelPrices | null;
}

/** Arguments of a session workflow; fixed at start so config changes never alter a running session. */
export interface SessionWorkflowInput {
  sessionId: string;
  userMission: string;
  projectName: string | null;
  /** Absolute path of the session's work directory. */
  workDir: string;
  maxIterations: number;
  /** How long each review waits for a decision before the session expires. */
  reviewTimeoutMs: number;
  /** Start-to-close timeout of each agent phase; a phase missing here (older sessions) gets 30 minutes. */
  phaseTimeoutsMs?: Partial<Record<AgentPhase, number>>;
  /**
   * How long a phase keeps retrying an environment fault (sandbox, work directory, disk, model endpoint, agent
   * command not found) before the session fails; absent (older sessions) means {@link DEFAULT_PHASE_RETRY_WINDOW_MS}.
   */
  phaseRetryWindowMs?: number;
  /**
   * Tokens the session may spend before it pauses (checked before each model call); null or absent: unlimited.
   * Waiting while paused ends `expired` after `reviewTimeoutMs`.
   */
  tokenBudget?: number | null;
  /** Prices of the session's tokens, when the operator set them. */
  prices?: ModelPrices | null;
  /** Where its webhooks go; absent: nobody listens, and the session sends none. */
  notify?: SessionNotifySettings;
}

/** Retry window of sessions started without one: a day. */
export const DEFAULT_PHASE_RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Who decided, and on which review round; recorded in the audit trail. */
export interface DecisionArgs {
  by?: string | null;
  /**
   * The review round the decision answers; a round that is not the open one is refused (stale_review). Absent:
   * the decision applies to whatever review is open.
   */
  reviewRound?: number;
}

export interface RejectArgs extends DecisionArgs {
  feedback: string;
  /** @default 'architect' */
  rejectTo?: RejectTarget;
}

/** Raises a session's token cap; a session paused at the cap resumes where it stopped. */
export interface ExtendBudgetArgs {
  addTokens: number;
  by?: string | null;
}

/** Approves the documents in review; the session continues with `engineer`. */
export const approveUpdate = defineUpdate<DecisionAnswer, [DecisionArgs]>('approve');
/** Rejects the documents in review with feedback; `rejectTo` runs again. */
export const rejectUpdate = defineUpdate<DecisionAnswer, [RejectArgs]>('reject');
/** Raises the token cap (any status but a final one). */
export const extendBudgetUpdate = defineUpdate<DecisionAnswer, [ExtendBudgetArgs]>('extendBudget');
/** The same decisions as signals, for operators using the Temporal CLI or Web UI. */
export const approveSignal = defineSignal<[DecisionArgs?]>('approve');
export const rejectSignal = defineSignal<[RejectArgs]>('reject');
/** What the worker says when an agent phase's activity starts retrying an environment fault (first time only). */
export interface PhaseRetryingArgs {
  phase: AgentPhase;
  /** The failure type, e.g. SandboxUnavailable. */
  reason: string | null;
  /** Already redacted. */
  message: string;
}
/** Sent by the worker; the session announces `session.retrying` to its webhooks, once per phase run. */
export const phaseRetryingSignal = defineSignal<[PhaseRetryingArgs]>('phaseRetrying');
/** The session's full state, including its audit trail. */
export const getStateQuery = defineQuery<SessionState>('getState');

/** Failure types the workflow uses; clients map them to their own errors. */
export const FailureType = {
  INVALID_OPERATION: 'InvalidOperation',
  /** A decision named a review round that is not the open one. */
  STALE_REVIEW: 'StaleReview',
  VALIDATION: 'ValidationError',
  SESSION_FAILED: 'SessionFailed',
} as const;

/** What a stale_review refusal tells about the session as the workflow sees it (visibility may lag behind). */
export interface StaleReviewDetails {
  reviewRound: number;
  status: SessionStatus;
  phase: Phase;
}

/** Custom search attributes: reading a session's status or listing sessions needs no running worker. */
export const SearchAttributeKeys = {
  status: defineSearchAttributeKey('SessionStatus', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('SessionPhase', SearchAttributeType.KEYWORD),
  project: defineSearchAttributeKey('SessionProject', SearchAttributeType.KEYWORD),
  iterationCount: defineSearchAttributeKey('SessionIterationCount', SearchAttributeType.INT),
  /** Absent on sessions started before review rounds existed. */
  reviewRound: defineSearchAttributeKey('SessionReviewRound', SearchAttributeType.INT),
  qaPassed: defineSearchAttributeKey('SessionQaPassed', SearchAttributeType.BOOL),
  updatedAt: defineSearchAttributeKey('SessionUpdatedAt', SearchAttributeType.DATETIME),
  /** One value per review decision (see review-marks.ts); absent on sessions started before lean sessions. */
  reviewMarks: defineSearchAttributeKey('SessionReviewMarks', SearchAttributeType.KEYWORD_LIST),
  /** Seconds waited for review over the closed rounds; absent on sessions started before lean sessions. */
  reviewWaitSeconds: defineSearchAttributeKey('SessionReviewWaitSeconds', SearchAttributeType.DOUBLE),
} as const;

/** What the client stores in each session's memo. */
export interface SessionMemo {
  userMission: string;
  projectName: string | null;
  workDir: string;
  /** Absent on sessions started before token budgets. */
  usage?: SessionUsageMemo;
}

/** Input of every agent activity. */
export interface AgentInput {
  sessionId: string;
  userMission: string;
  projectName: string | null;
  workDir: string;
  iteration: number;
  /** All reviewer feedback so far, oldest first. */
  feedback: FeedbackEntry[];
  /** The last QA report, when QA sent the session back to the engineer. */
  bugReport: ArtifactRef | null;
  /** Tokens left under the session's cap; absent or null: unlimited. QA skips its optional analysis at 0. */
  tokensLeft?: number | null;
  /** Session-log lines the workflow hands this activity to write before its work (see {@link SessionLogLine}). */
  logBefore?: SessionLogLine[];
}

/** Tokens a phase spent with a model provider. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Chat-completions requests made. */
  requests: number;
  model: string;
}

/** What an agent phase hands back: the files it wrote, and the tokens it spent when a model wrote them. */
export interface PhaseResult {
  artifacts: ArtifactRef[];
  usage?: TokenUsage;
}

/** What QA hands back. */
export interface QaResult extends PhaseResult {
  passed: boolean;
  /** One line for the audit trail; the report itself is an artifact. */
  summary: string;
}

/** One line for the session's execution log. */
export interface SessionLogInput extends SessionLogLine {
  workDir: string;
}

/** One line of the session log, as the workflow decides it. */
export interface SessionLogLine {
  phase: Phase;
  message: string;
  /** Makes a retried append a no-op. */
  eventId: string;
}

/** The activities a session workflow calls; their names are the phase names shown in the Web UI. */
export interface SessionActivities {
  pm(input: AgentInput): Promise<PhaseResult>;
  architect(input: AgentInput): Promise<PhaseResult>;
  engineer(input: AgentInput): Promise<PhaseResult>;
  qa(input: AgentInput): Promise<QaResult>;
  logSessionEvent(input: SessionLogInput): Promise<void>;
}
