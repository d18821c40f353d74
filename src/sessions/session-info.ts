import type { WorkflowExecutionInfo, WorkflowExecutionStatusName } from '@temporalio/client';
import type { PayloadConverter } from '@temporalio/common';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { requiredTsToDate } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import {
  FINAL_STATUSES,
  isPhase,
  isSessionStatus,
  type ModelPrices,
  type PauseReason,
  type Phase,
  SearchAttributeKeys,
  type SessionMemo,
  type SessionSnapshot,
  SessionStatus,
  type SessionUsageMemo,
  type TokenTally,
} from '../../workflows/definitions';
import { type LastError, lastErrorOf } from './last-error';

/** What the spec's `get_session_status` returns. */
export interface SessionInfo {
  sessionId: string;
  userMission: string;
  /** Null when the session was started without one. */
  projectName: string | null;
  status: SessionStatus;
  currentPhase: Phase;
  createdAt: Date;
  updatedAt: Date;
  iterationCount: number;
  /**
   * Reviews opened so far: 0 before the first; while awaiting approval, the open one's number. Null for sessions
   * that have not published it since review rounds were introduced (their count is unknown).
   */
  reviewRound: number | null;
  qaPassed: boolean;
  workDir: string;
  /** Why the current phase is retrying, or null; known only when the session is read on its own (not in lists). */
  lastError: LastError | null;
  /** Why the session is paused (status `paused`), else null. */
  pauseReason: PauseReason | null;
  /** Tokens spent (prompt and completion, every phase); null for sessions started before token accounting. */
  tokensUsed: number | null;
  /** The token cap; null when unlimited. */
  tokenBudget: number | null;
  /** What the tokens cost at the prices fixed at the session's start; null when no prices were set. */
  cost: number | null;
  /** Tokens by phase and model (empty for sessions started before token accounting). */
  tokens: TokenTally[];
}

/** The token fields of a SessionInfo, from the memo's (or the state's) usage entry. */
export function usageFields(usage: Partial<SessionUsageMemo> | undefined): Pick<SessionInfo, 'pauseReason' | 'tokensUsed' | 'tokenBudget' | 'cost' | 'tokens'> {
  if (!usage || !Array.isArray(usage.tokens)) return { pauseReason: null, tokensUsed: null, tokenBudget: usage?.tokenBudget ?? null, cost: null, tokens: [] };
  const tokens = usage.tokens;
  const prompt = tokens.reduce((sum, tally) => sum + tally.promptTokens, 0);
  const completion = tokens.reduce((sum, tally) => sum + tally.completionTokens, 0);
  return {
    pauseReason: usage.pauseReason ?? null,
    tokensUsed: prompt + completion,
    tokenBudget: usage.tokenBudget ?? null,
    cost: usage.prices ? costOf(prompt, completion, usage.prices) : null,
    tokens,
  };
}

/** Cost of tokens at per-million prices, rounded to a millionth (no float dust in JSON). */
export function costOf(promptTokens: number, completionTokens: number, prices: ModelPrices): number {
  return Math.round(((promptTokens * prices.inputPerMTok + completionTokens * prices.outputPerMTok) / 1_000_000) * 1e6) / 1e6;
}

/** What a SessionInfo is made of: these fields of an execution as visibility describes or lists it. */
export type SessionExecution = Pick<WorkflowExecutionInfo, 'workflowId' | 'startTime' | 'status' | 'typedSearchAttributes' | 'memo'>;

const MEMO_KEYS: readonly (keyof SessionMemo)[] = ['userMission', 'projectName', 'workDir', 'usage'];

const Code = temporal.api.enums.v1.WorkflowExecutionStatus;
/** The SDK's names of execution statuses (as `describe()` gives them). */
const EXECUTION_STATUS_NAMES = new Map<number, WorkflowExecutionStatusName>([
  [Code.WORKFLOW_EXECUTION_STATUS_RUNNING, 'RUNNING'],
  [Code.WORKFLOW_EXECUTION_STATUS_COMPLETED, 'COMPLETED'],
  [Code.WORKFLOW_EXECUTION_STATUS_FAILED, 'FAILED'],
  [Code.WORKFLOW_EXECUTION_STATUS_CANCELED, 'CANCELLED'],
  [Code.WORKFLOW_EXECUTION_STATUS_TERMINATED, 'TERMINATED'],
  [Code.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW, 'CONTINUED_AS_NEW'],
  [Code.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, 'TIMED_OUT'],
]);

/**
 * A listed execution (visibility's raw record) as a session, decoding only what a SessionInfo shows. The SDK's
 * list decodes every search attribute twice and each memo field through the codec chain, one await per execution:
 * a few milliseconds per page of a hundred. `converter` is the client's payload converter: this service's clients
 * have no payload codecs (a memo they encoded would need the codec chain first).
 */
export function sessionInfoFromListed(raw: temporal.api.workflow.v1.IWorkflowExecutionInfo, converter: PayloadConverter): SessionInfo {
  const fields = raw.memo?.fields ?? {};
  const memo: Record<string, unknown> = {};
  for (const key of MEMO_KEYS) {
    const payload = fields[key];
    if (payload) memo[key] = converter.fromPayload(payload);
  }
  return sessionInfoFromExecution({
    workflowId: raw.execution?.workflowId ?? '',
    startTime: requiredTsToDate(raw.startTime, 'startTime'),
    status: { code: raw.status ?? Code.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED, name: EXECUTION_STATUS_NAMES.get(raw.status ?? 0) ?? 'UNKNOWN' },
    typedSearchAttributes: decodeTypedSearchAttributes(raw.searchAttributes?.indexedFields),
    memo,
  });
}

/**
 * A session as Temporal's visibility sees it: search attributes and memo, so no worker has to answer.
 * When Temporal closed the execution without the workflow saying so (terminated, timed out, a bug), the
 * execution status wins over a non-final search attribute.
 */
export function sessionInfoFromExecution(
  info: SessionExecution,
  pendingActivities?: readonly temporal.api.workflow.v1.IPendingActivityInfo[] | null,
): SessionInfo {
  const attributes = info.typedSearchAttributes;
  const memo = (info.memo ?? {}) as Partial<SessionMemo>;
  const recorded = attributes.get(SearchAttributeKeys.status);
  let status: SessionStatus = isSessionStatus(recorded) ? recorded : SessionStatus.PENDING;
  if (!FINAL_STATUSES.includes(status)) {
    const execution = info.status.name;
    if (execution === 'CANCELLED') status = SessionStatus.CANCELLED;
    else if (execution === 'FAILED' || execution === 'TERMINATED' || execution === 'TIMED_OUT') status = SessionStatus.FAILED;
  }
  const phase = attributes.get(SearchAttributeKeys.phase);
  const updatedAt = attributes.get(SearchAttributeKeys.updatedAt);
  return {
    sessionId: info.workflowId,
    userMission: memo.userMission ?? '',
    projectName: memo.projectName ?? null,
    status,
    currentPhase: isPhase(phase) ? phase : 'pm',
    createdAt: info.startTime,
    updatedAt: updatedAt && updatedAt > info.startTime ? updatedAt : info.startTime,
    iterationCount: attributes.get(SearchAttributeKeys.iterationCount) ?? 0,
    reviewRound: attributes.get(SearchAttributeKeys.reviewRound) ?? null,
    qaPassed: attributes.get(SearchAttributeKeys.qaPassed) ?? false,
    workDir: memo.workDir ?? '',
    lastError: FINAL_STATUSES.includes(status) ? null : lastErrorOf(pendingActivities),
    ...usageFields(memo.usage),
    ...(status === SessionStatus.PAUSED ? {} : { pauseReason: null }),
  };
}

/** A session as its workflow reported it (the result of a decision update). */
export function sessionInfoFromState(state: SessionSnapshot): SessionInfo {
  return {
    sessionId: state.sessionId,
    userMission: state.userMission,
    projectName: state.projectName,
    status: state.status,
    currentPhase: state.phase,
    createdAt: new Date(state.createdAt),
    updatedAt: new Date(state.updatedAt),
    iterationCount: state.iterationCount,
    reviewRound: state.reviewRound ?? null,
    qaPassed: state.qaPassed,
    workDir: state.workDir,
    lastError: null,
    ...usageFields(state.tokens ? { tokens: state.tokens, tokenBudget: state.tokenBudget ?? null, pauseReason: state.pauseReason ?? null, prices: state.prices ?? null } : undefined),
  };
}
