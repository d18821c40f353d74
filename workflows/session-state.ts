/**
 * The session's state transitions as pure functions: no Temporal calls, so the rules are read (and unit
 * tested) in one place and the workflow only wires them to handlers, activities and timers.
 */
import {
  type AgentPhase,
  type DecisionArgs,
  type ExtendBudgetArgs,
  FINAL_STATUSES,
  MAX_BUDGET_EXTENSION_TOKENS,
  type FeedbackEntry,
  MAX_FEEDBACK_LENGTH,
  type Phase,
  type QaResult,
  REJECT_TARGETS,
  type RejectArgs,
  type RejectTarget,
  type ReviewedDocuments,
  type SessionEvent,
  type SessionSnapshot,
  type SessionState,
  SessionStatus,
  type SessionWorkflowInput,
  type SessionUsageMemo,
  type TokenUsage,
} from './definitions';

/**
 * The session's starting state. `tracksTokens` (new sessions) adds the token fields: sessions started before
 * token budgets keep the state shape they were recorded with.
 */
export function createInitialState(input: SessionWorkflowInput, createdAt: string, tracksTokens = false): SessionState {
  return {
    sessionId: input.sessionId,
    userMission: input.userMission,
    projectName: input.projectName,
    workDir: input.workDir,
    status: SessionStatus.PENDING,
    phase: 'pm',
    iterationCount: 0,
    maxIterations: input.maxIterations,
    reviewRound: 0,
    qaPassed: false,
    createdAt,
    updatedAt: createdAt,
    failureReason: null,
    feedback: [],
    artifacts: {},
    events: [],
    ...(tracksTokens ? { tokenBudget: input.tokenBudget ?? null, tokens: [], pauseReason: null, prices: input.prices ?? null } : {}),
  };
}

/** Add what one model call (or one phase) spent to the session's tally for its phase and model. */
export function recordUsage(state: SessionState, phase: AgentPhase, usage: TokenUsage | undefined): void {
  if (!usage || !state.tokens) return;
  const tally = state.tokens.find((entry) => entry.phase === phase && entry.model === usage.model);
  if (tally) {
    tally.promptTokens += usage.promptTokens;
    tally.completionTokens += usage.completionTokens;
  } else {
    state.tokens.push({ phase, model: usage.model, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens });
  }
}

/** Tokens the session spent so far (prompt and completion, every phase and model). */
export function tokensUsed(state: SessionState): number {
  return (state.tokens ?? []).reduce((sum, tally) => sum + tally.promptTokens + tally.completionTokens, 0);
}

/** Tokens left under the cap; null when the session has none. */
export function tokensLeft(state: SessionState): number | null {
  const budget = state.tokenBudget ?? null;
  return budget === null ? null : Math.max(0, budget - tokensUsed(state));
}

/** Whether the next model call must wait: the session has a cap and has reached it. */
export function budgetReached(state: SessionState): boolean {
  return tokensLeft(state) === 0;
}

/** Stop where the session is: `paused` for a budget, until an extension or the pause timer. */
export function pauseForBudget(state: SessionState, now: string): void {
  state.status = SessionStatus.PAUSED;
  state.pauseReason = 'budget';
  state.events.push({ kind: 'paused', at: now, reason: 'budget', phase: state.phase, tokensUsed: tokensUsed(state), tokenBudget: state.tokenBudget ?? 0 });
}

/** Go on from a pause at the step it stopped before. */
export function resume(state: SessionState, now: string): void {
  state.status = SessionStatus.RUNNING;
  state.pauseReason = null;
  state.events.push({ kind: 'resumed', at: now, phase: state.phase });
}

/** Why a budget extension cannot be applied, or null when it can. */
export function budgetExtensionProblem(state: SessionState, args: ExtendBudgetArgs | undefined): { validation: boolean; message: string } | null {
  const add = args?.addTokens;
  if (typeof add !== 'number' || !Number.isInteger(add) || add < 1 || add > MAX_BUDGET_EXTENSION_TOKENS) {
    return { validation: true, message: `add_tokens must be an integer from 1 to ${MAX_BUDGET_EXTENSION_TOKENS}` };
  }
  if (FINAL_STATUSES.includes(state.status)) {
    return { validation: false, message: `session ${state.sessionId} already ended with status ${state.status}; its budget cannot change` };
  }
  if (state.tokenBudget === undefined || state.tokenBudget === null) {
    return { validation: false, message: `session ${state.sessionId} has no token budget (it may spend without limit); there is nothing to extend` };
  }
  return null;
}

/** Raise the cap; a session paused at the cap and now under it resumes. */
export function applyBudgetExtension(state: SessionState, args: ExtendBudgetArgs, now: string): void {
  state.tokenBudget = (state.tokenBudget ?? 0) + args.addTokens;
  state.events.push({ kind: 'budget_extended', at: now, by: decidedBy(args), addTokens: args.addTokens, tokenBudget: state.tokenBudget });
  if (state.status === SessionStatus.PAUSED && !budgetReached(state)) resume(state, now);
}

/** The memo's `usage` entry as the state now stands. */
export function usageMemo(state: SessionState): SessionUsageMemo {
  return { tokens: state.tokens ?? [], tokenBudget: state.tokenBudget ?? null, pauseReason: state.pauseReason ?? null, prices: state.prices ?? null };
}

/** What an update answers: the state's own fields, without the audit trail, artifacts and feedback (copied). */
export function snapshotOf(state: SessionState): SessionSnapshot {
  const { sessionId, userMission, projectName, workDir, status, phase, iterationCount, reviewRound, qaPassed, createdAt, updatedAt } = state;
  return {
    sessionId,
    userMission,
    projectName,
    workDir,
    status,
    phase,
    iterationCount,
    reviewRound,
    qaPassed,
    createdAt,
    updatedAt,
    ...(state.tokens ? { tokens: state.tokens.map((tally) => ({ ...tally })), tokenBudget: state.tokenBudget ?? null, pauseReason: state.pauseReason ?? null, prices: state.prices ?? null } : {}),
  };
}

/** Why a decision cannot be taken now, or null when it can. */
export function decisionRefusal(state: SessionState): string | null {
  if (state.status === SessionStatus.AWAITING_APPROVAL) return null;
  return `session ${state.sessionId} is not awaiting approval (status ${state.status}, phase ${state.phase})`;
}

/** What is wrong with a decision's `reviewRound` argument, or null when it is absent or a whole number from 1. */
export function reviewRoundProblem(args: DecisionArgs | undefined): string | null {
  const round = args?.reviewRound;
  if (round === undefined || round === null) return null;
  if (typeof round !== 'number' || !Number.isInteger(round) || round < 1) return 'review_round must be an integer of at least 1';
  return null;
}

/**
 * Why a decision that names a review round answers a review that is not the open one, or null when it names
 * none or the open one.
 */
export function staleRoundRefusal(state: SessionState, args: DecisionArgs | undefined): string | null {
  const round = args?.reviewRound;
  if (round === undefined || round === null) return null;
  if (state.status === SessionStatus.AWAITING_APPROVAL && round === state.reviewRound) return null;
  const open = state.status === SessionStatus.AWAITING_APPROVAL ? `review round ${state.reviewRound} is open` : `no review is open (status ${state.status}, phase ${state.phase})`;
  return `the decision answers review round ${round} of session ${state.sessionId}, but ${open}`;
}

/** The documents open in the current review round, by hash. */
export function reviewedDocuments(state: SessionState): ReviewedDocuments {
  return {
    prd: state.artifacts.prd?.sha256 ?? null,
    tech_spec: state.artifacts.tech_spec?.sha256 ?? null,
    scaffold: state.artifacts.scaffold?.sha256 ?? null,
  };
}

/** What is wrong with a rejection's arguments, or null when they are valid. */
export function rejectArgsProblem(args: RejectArgs | undefined): string | null {
  if (!args || typeof args.feedback !== 'string' || args.feedback.trim() === '') {
    return 'feedback must be a non-empty string';
  }
  if (args.feedback.length > MAX_FEEDBACK_LENGTH) {
    return `feedback must be at most ${MAX_FEEDBACK_LENGTH} characters`;
  }
  if (args.rejectTo !== undefined && !REJECT_TARGETS.includes(args.rejectTo)) {
    return `reject_to must be one of ${REJECT_TARGETS.join(', ')}`;
  }
  return null;
}

function decidedBy(args: DecisionArgs | undefined): string | null {
  return typeof args?.by === 'string' && args.by !== '' ? args.by : null;
}

/** Approve the documents in review: the session moves on to the engineer. */
export function applyApproval(
  state: SessionState,
  args: DecisionArgs | undefined,
  via: 'update' | 'signal',
  now: string,
): void {
  state.events.push({ kind: 'approved', at: now, by: decidedBy(args), via, reviewRound: state.reviewRound, documents: reviewedDocuments(state) });
  state.phase = 'engineer';
  state.status = SessionStatus.RUNNING;
}

/**
 * Reject the documents in review: the chosen phase runs again with all feedback so far, unless one more
 * iteration would exceed `maxIterations`, in which case the session fails in review.
 */
export function applyRejection(state: SessionState, args: RejectArgs, via: 'update' | 'signal', now: string): void {
  const rejectTo: RejectTarget = args.rejectTo ?? 'architect';
  const feedback = args.feedback.trim();
  const by = decidedBy(args);
  state.events.push({
    kind: 'rejected',
    at: now,
    by,
    via,
    feedback,
    rejectTo,
    reviewRound: state.reviewRound,
    documents: reviewedDocuments(state),
  });
  if (state.iterationCount + 1 > state.maxIterations) {
    fail(state, `rejected with ${state.iterationCount} of ${state.maxIterations} iterations used`, now);
    return;
  }
  state.iterationCount += 1;
  const entry: FeedbackEntry = { feedback, rejectTo, iteration: state.iterationCount, at: now, by };
  state.feedback.push(entry);
  state.phase = rejectTo;
  state.status = SessionStatus.RUNNING;
}

/** Record QA's verdict: done when it passed, otherwise back to the engineer while iterations remain. */
export function applyQaResult(state: SessionState, result: QaResult, now: string): void {
  state.qaPassed = result.passed;
  if (result.passed) {
    state.phase = 'done';
    end(state, SessionStatus.COMPLETED, null, now);
    return;
  }
  state.events.push({ kind: 'qa_failed', at: now, iteration: state.iterationCount, summary: result.summary });
  if (state.iterationCount + 1 > state.maxIterations) {
    fail(state, `QA failed with ${state.iterationCount} of ${state.maxIterations} iterations used: ${result.summary}`, now);
    return;
  }
  state.iterationCount += 1;
  state.phase = 'engineer';
}

/** The phase that follows a completed run of `phase`; QA's verdict decides after QA (see {@link applyQaResult}). */
const NEXT_PHASE: Partial<Record<Phase, Phase>> = { pm: 'architect', architect: 'review', engineer: 'qa' };

/** A run of `phase` completed: the session moves on to the phase after it (QA moves on through its verdict). */
export function completePhase(state: SessionState, phase: Phase): void {
  const next = NEXT_PHASE[phase];
  if (next) state.phase = next;
}

/** Enter `phase`; entering review opens the next review round. */
export function startPhase(state: SessionState, phase: Phase, now: string): void {
  state.phase = phase;
  state.status = phase === 'review' ? SessionStatus.AWAITING_APPROVAL : SessionStatus.RUNNING;
  if (phase === 'review') state.reviewRound += 1;
  state.events.push({ kind: 'phase_started', phase, at: now, iteration: state.iterationCount, reviewRound: roundFedBy(state, phase) });
}

/** The review round a phase run feeds: PM and Architect the next review, review its own, Engineer and QA the approved one. */
export function roundFedBy(state: SessionState, phase: Phase): number {
  return phase === 'pm' || phase === 'architect' ? state.reviewRound + 1 : state.reviewRound;
}

/** End the session as failed; it keeps the phase it failed in. */
export function fail(state: SessionState, reason: string, now: string): void {
  state.failureReason = reason;
  end(state, SessionStatus.FAILED, reason, now);
}

export function end(state: SessionState, status: SessionStatus, reason: string | null, now: string): void {
  state.status = status;
  state.events.push({ kind: 'session_ended', at: now, status, reason });
}

/** The status a session has while in `phase`: awaiting approval in review, running in any other. */
export function statusInPhase(phase: Phase): SessionStatus {
  return phase === 'review' ? SessionStatus.AWAITING_APPROVAL : SessionStatus.RUNNING;
}

/** Status, phase and iteration of the session right after an audit entry. */
export interface AuditState {
  status: SessionStatus;
  phase: Phase;
  iteration: number;
}

/** Before the first audit entry: as {@link createInitialState} starts a session. */
export const INITIAL_AUDIT_STATE: AuditState = { status: SessionStatus.PENDING, phase: 'pm', iteration: 0 };

/**
 * The state after `event`, read from the audit trail alone (what a viewer shows without asking the workflow): the
 * transitions above as their entries record them. A decision keeps the phase until the next `phase_started`.
 */
export function applyAuditEvent(before: AuditState, event: SessionEvent): AuditState {
  switch (event.kind) {
    case 'phase_started':
      return { status: statusInPhase(event.phase), phase: event.phase, iteration: event.iteration };
    case 'approved':
    case 'rejected':
      return { ...before, status: SessionStatus.RUNNING };
    case 'paused':
      return { ...before, status: SessionStatus.PAUSED, phase: event.phase };
    case 'resumed':
      return { ...before, status: SessionStatus.RUNNING, phase: event.phase };
    case 'session_ended':
      return { ...before, status: event.status, phase: event.status === SessionStatus.COMPLETED ? 'done' : before.phase };
    default:
      return before;
  }
}
