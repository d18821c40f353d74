import {
  type ActivityOptions,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  type AgentInput,
  type AgentPhase,
  type DecisionArgs,
  type ExtendBudgetArgs,
  extendBudgetUpdate,
  approveSignal,
  approveUpdate,
  type ArtifactRef,
  type DecisionAnswer,
  FailureType,
  getStateQuery,
  type Phase,
  type RejectArgs,
  rejectSignal,
  rejectUpdate,
  SearchAttributeKeys,
  type SessionActivities,
  type SessionLogLine,
  type SessionState,
  SessionStatus,
  type SessionWorkflowInput,
  DEFAULT_PHASE_RETRY_WINDOW_MS,
  type StaleReviewDetails,
} from './definitions';
import { reviewMarks, reviewWaitSeconds } from './review-marks';
import { createEngineerRunner } from './session-engineer';
import { createAnnouncer } from './session-announcer';
import { argsFingerprint } from './args-fingerprint';
import {
  applyApproval,
  applyBudgetExtension,
  applyQaResult,
  applyRejection,
  budgetExtensionProblem,
  budgetReached,
  completePhase,
  createInitialState,
  decisionRefusal,
  end,
  fail,
  pauseForBudget,
  recordUsage,
  rejectArgsProblem,
  reviewRoundProblem,
  roundFedBy,
  snapshotOf,
  staleRoundRefusal,
  startPhase,
  tokensLeft,
  tokensUsed,
  usageMemo,
} from './session-state';

const DEFAULT_PHASE_TIMEOUT_MS = 30 * 60 * 1000;

/** Patch: sessions publish their review round as a search attribute. */
const REVIEW_ROUND_ATTRIBUTE_PATCH = 'review-round-search-attribute';
/** Patch: the Engineer runs as a loop of model-turn and tool-step activities instead of one activity. */
const ENGINEER_LOOP_PATCH = 'engineer-loop';
/** Patch: sessions count their tokens, keep them in the memo, and pause at their token budget. */
const TOKEN_BUDGET_PATCH = 'token-budget';

/** Patch: sessions with webhook receivers hand their events to a notifier workflow. */
const WEBHOOKS_PATCH = 'webhooks';

/**
 * Patch: one marker for every patch above (each also upserts `TemporalChangeVersion`), a search-attribute upsert
 * only when a listed attribute changed, and a log line that an activity follows carried by that activity instead
 * of a local activity of its own (an approval's line no longer holds up the decision's workflow task).
 */
const LEAN_SESSION_PATCH = 'lean-session';

/**
 * Patch: the lean session, whose engineer starts with one activity (`engineerStart`) that is the loop's beginning
 * or, for an engineer that does not loop, the whole single-shot run (before: the beginning, then `engineer`). Its
 * marker stands for the lean one.
 */
const ENGINEER_START_PATCH = 'engineer-start';

/** Unwinds the session when it waited out its pause: it has ended `expired` already. */
class ExpiredWhilePaused extends Error {}

/** Options of every activity of an agent phase (see {@link agentActivities}). */
function phaseActivityOptions(input: SessionWorkflowInput, phase: AgentPhase): ActivityOptions {
  const window = input.phaseRetryWindowMs ?? DEFAULT_PHASE_RETRY_WINDOW_MS;
  const phaseTimeout = input.phaseTimeoutsMs?.[phase] ?? DEFAULT_PHASE_TIMEOUT_MS;
  return {
    startToCloseTimeout: phaseTimeout,
    scheduleToCloseTimeout: window + phaseTimeout,
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  };
}

/**
 * The agent activities, each with its phase's start-to-close timeout (from the input, else 30 minutes). Attempts
 * are unlimited within the retry window, at most 5 minutes apart, so a fixed environment is picked up quickly;
 * the worker's retry-limit interceptor ends any failure that is not an environment fault after 5 attempts.
 */
function agentActivities(input: SessionWorkflowInput): Pick<SessionActivities, AgentPhase> {
  const proxy = (phase: AgentPhase) => proxyActivities<SessionActivities>(phaseActivityOptions(input, phase));
  return { pm: proxy('pm').pm, architect: proxy('architect').architect, engineer: proxy('engineer').engineer, qa: proxy('qa').qa };
}

const bookkeeping = proxyActivities<Pick<SessionActivities, 'logSessionEvent'>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10 },
});

/**
 * The session log as a local activity: no task-queue round trip and no extra workflow task per line (each line was
 * a scheduled activity: three per session on the happy path). New sessions only (`patched`), so histories recorded
 * before replay unchanged.
 */
const localBookkeeping = proxyLocalActivities<Pick<SessionActivities, 'logSessionEvent'>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10 },
});
const LOCAL_SESSION_LOG_PATCH = 'local-session-log';

const now = (): string => new Date().toISOString();

/**
 * One AI development session: PM → Architect → human review → Engineer → QA → done.
 *
 * Review waits up to `reviewTimeoutMs` for an approve or reject decision (update or signal); QA failures go
 * back to the engineer; rejections and QA retries share `maxIterations`. Cancellation ends it `cancelled`.
 */
export async function sessionWorkflow(input: SessionWorkflowInput): Promise<SessionState> {
  // Sessions started before a patch that stands for others replay through those it stands for.
  const engineerStarts = patched(ENGINEER_START_PATCH);
  const lean = engineerStarts || patched(LEAN_SESSION_PATCH);
  const isPatched = (patchId: string): boolean => lean || patched(patchId);
  const tracksTokens = isPatched(TOKEN_BUDGET_PATCH);
  const state = createInitialState(input, workflowInfo().startTime.toISOString(), tracksTokens);
  let publishedUsage = JSON.stringify(usageMemo(state));
  const agents = agentActivities(input);
  // Sessions started before the loop run the single-shot engineer; the patch is asked when the engineer runs.
  const runEngineer = createEngineerRunner({
    state,
    activityOptions: phaseActivityOptions(input, 'engineer'),
    engineer: agents.engineer,
    way: () => (!isPatched(ENGINEER_LOOP_PATCH) ? 'single_shot' : engineerStarts ? 'start' : 'loop'),
    withinBudget: () => withinBudget(),
    onUsage: () => publishUsage(),
    now,
  });

  let publishedAttributes = '';
  function publish(): void {
    const marks = lean ? reviewMarks(state) : null;
    const listed = JSON.stringify([state.status, state.phase, state.iterationCount, state.qaPassed, state.reviewRound, marks]);
    if (!lean || listed !== publishedAttributes) upsertListedAttributes(marks);
    publishedAttributes = listed;
    publishUsage();
    const budget = state.tokenBudget ?? null;
    setCurrentDetails(
      `**Status:** ${state.status} · **Phase:** ${state.phase} · ` +
        `**Iteration:** ${state.iterationCount}/${state.maxIterations} · **Review round:** ${state.reviewRound} · **QA passed:** ${state.qaPassed}` +
        (tracksTokens ? ` · **Tokens:** ${tokensUsed(state)}${budget === null ? '' : ` of ${budget}`}` : '') +
        (state.pauseReason ? `\n\n**Paused:** the token budget is spent; extend it to resume` : '') +
        (state.failureReason ? `\n\n**Failure:** ${state.failureReason}` : ''),
    );
  }

  /** The listed attributes as the state has them; `SessionUpdatedAt` is when one of them last changed. */
  function upsertListedAttributes(marks: string[] | null): void {
    state.updatedAt = now();
    upsertSearchAttributes([
      { key: SearchAttributeKeys.status, value: state.status },
      { key: SearchAttributeKeys.phase, value: state.phase },
      { key: SearchAttributeKeys.iterationCount, value: state.iterationCount },
      { key: SearchAttributeKeys.qaPassed, value: state.qaPassed },
      { key: SearchAttributeKeys.updatedAt, value: new Date(state.updatedAt) },
      ...(isPatched(REVIEW_ROUND_ATTRIBUTE_PATCH) ? [{ key: SearchAttributeKeys.reviewRound, value: state.reviewRound }] : []),
      ...(marks ? reviewAttributes(marks) : []),
    ]);
  }

  /** The decisions so far and the time waited for them, once there was a decision (or an end in review). */
  function reviewAttributes(marks: string[]): SearchAttributeUpdatePair[] {
    const waited = reviewWaitSeconds(state);
    return [
      ...(marks.length > 0 ? [{ key: SearchAttributeKeys.reviewMarks, value: marks }] : []),
      ...(waited > 0 ? [{ key: SearchAttributeKeys.reviewWaitSeconds, value: waited }] : []),
    ];
  }

  /** Keep the memo's tokens, cap and pause as the state has them (only when they changed). */
  function publishUsage(): void {
    if (!tracksTokens) return;
    const memo = usageMemo(state);
    const json = JSON.stringify(memo);
    if (json === publishedUsage) return;
    publishedUsage = json;
    upsertMemo({ usage: memo });
  }

  /**
   * Before a model call: at the cap the session pauses where it is until an extension raises the cap (then it goes
   * on) or `reviewTimeoutMs` passes (then it ends `expired`). A soft cap: the call before it may have overrun.
   */
  async function withinBudget(beforeAgent = false): Promise<void> {
    if (!budgetReached(state)) return;
    pauseForBudget(state, now());
    publish();
    await logEvent(state.phase, `Paused: the token budget is spent (${tokensUsed(state)} of ${state.tokenBudget} tokens); extend it to resume`);
    await announce('session.paused', `token budget spent: ${tokensUsed(state)} of ${state.tokenBudget} tokens`);
    const resumed = await condition(() => state.status !== SessionStatus.PAUSED, input.reviewTimeoutMs);
    if (!resumed) {
      end(state, SessionStatus.EXPIRED, `token budget spent and not extended within ${input.reviewTimeoutMs} ms`, now());
      publish();
      await logEvent(state.phase, 'Session expired: paused at its token budget, not extended in time');
      throw new ExpiredWhilePaused();
    }
    await logEvent(state.phase, `Resumed: the token budget is now ${state.tokenBudget} tokens (${tokensUsed(state)} spent)`, beforeAgent);
  }

  function ignoreSignal(signal: string, reason: string): void {
    log.warn('Decision signal ignored', { sessionId: state.sessionId, signal, reason });
    state.events.push({ kind: 'signal_ignored', at: now(), signal, reason });
  }

  /** Lines for the next agent activity to write before its work (lean sessions). */
  const carried: SessionLogLine[] = [];
  /**
   * Append to the session log; a log line that cannot be written is a warning, never the session's failure.
   * `withNextAgent`: an agent activity comes next, and writes the line first (lines carried so far go before any
   * other line).
   */
  async function logEvent(phase: Phase, message: string, withNextAgent = false): Promise<void> {
    const line: SessionLogLine = { phase, message, eventId: uuid4() };
    if (lean && withNextAgent) {
      carried.push(line);
      return;
    }
    for (const next of [...carried.splice(0), line]) await writeLogLine(next);
  }

  async function writeLogLine(line: SessionLogLine): Promise<void> {
    try {
      const writer = isPatched(LOCAL_SESSION_LOG_PATCH) ? localBookkeeping : bookkeeping;
      await writer.logSessionEvent({ workDir: state.workDir, ...line });
    } catch (err) {
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      log.warn('Session log line not written', { sessionId: state.sessionId, phase: line.phase, message: line.message, error: String(err.cause ?? err) });
    }
  }

  const notify = input.notify && input.notify.targets.length > 0 ? input.notify : null;
  const { announce, announceEnd } = createAnnouncer({ state, notify, enabled: () => isPatched(WEBHOOKS_PATCH), now });

  setHandler(getStateQuery, () => state);

  /** An update's answer: the snapshot (sessions started before the engineer-start patch answer their whole state). */
  const answer = (args: unknown): DecisionAnswer => ({ ...(engineerStarts ? snapshotOf(state) : state), argsFingerprint: argsFingerprint(args) });

  setHandler(
    approveUpdate,
    (args: DecisionArgs) => {
      assertDecisionAllowed(state, args);
      applyApproval(state, args, 'update', now());
      publish();
      return answer(args);
    },
    { validator: (args: DecisionArgs) => assertDecisionAllowed(state, args) },
  );

  setHandler(
    rejectUpdate,
    (args: RejectArgs) => {
      assertDecisionAllowed(state, args);
      assertValidRejection(args);
      applyRejection(state, args, 'update', now());
      publish();
      return answer(args);
    },
    {
      validator: (args: RejectArgs) => {
        assertDecisionAllowed(state, args);
        assertValidRejection(args);
      },
    },
  );

  setHandler(
    extendBudgetUpdate,
    (args: ExtendBudgetArgs) => {
      assertExtensionAllowed(state, args);
      const before = state.status;
      applyBudgetExtension(state, args, now());
      if (state.status !== before) publish();
      else publishUsage();
      return answer(args);
    },
    { validator: (args: ExtendBudgetArgs) => assertExtensionAllowed(state, args) },
  );

  setHandler(approveSignal, (args) => {
    const refusal = reviewRoundProblem(args) ?? staleRoundRefusal(state, args) ?? decisionRefusal(state);
    if (refusal) return ignoreSignal('approve', refusal);
    applyApproval(state, args, 'signal', now());
    publish();
  });

  setHandler(rejectSignal, (args) => {
    const refusal = reviewRoundProblem(args) ?? staleRoundRefusal(state, args) ?? decisionRefusal(state) ?? rejectArgsProblem(args);
    if (refusal) return ignoreSignal('reject', refusal);
    applyRejection(state, args, 'signal', now());
    publish();
  });

  async function runAgent(phase: AgentPhase): Promise<ArtifactRef[]> {
    if (phase !== 'qa') await withinBudget(true);
    startPhase(state, phase, now());
    publish();
    const agentInput: AgentInput = {
      sessionId: state.sessionId,
      userMission: state.userMission,
      projectName: state.projectName,
      workDir: state.workDir,
      iteration: state.iterationCount,
      feedback: state.feedback,
      bugReport: phase === 'engineer' && state.iterationCount > 0 ? (state.artifacts.bug_report ?? null) : null,
      ...(state.tokenBudget != null ? { tokensLeft: tokensLeft(state) } : {}),
      ...(carried.length > 0 ? { logBefore: carried.splice(0) } : {}),
    };
    const ran = phase === 'engineer' ? await runEngineer(agentInput) : { result: await agents[phase](agentInput), looped: false };
    const { result } = ran;
    // The loop's turns were counted as they came.
    if (!ran.looped) recordUsage(state, phase, result.usage);
    for (const artifact of result.artifacts) state.artifacts[artifact.name] = artifact;
    state.events.push({
      kind: 'phase_completed',
      phase,
      at: now(),
      iteration: state.iterationCount,
      artifacts: result.artifacts,
      ...(result.usage ? { usage: result.usage } : {}),
      reviewRound: roundFedBy(state, phase),
    });
    if (phase === 'qa') applyQaResult(state, result as Awaited<ReturnType<SessionActivities['qa']>>, now());
    return result.artifacts;
  }

  async function awaitDecision(): Promise<void> {
    startPhase(state, 'review', now());
    publish();
    await logEvent('review', `Awaiting human review (round ${state.reviewRound}) of the PRD, tech spec and scaffold`);
    await announce('review.requested');
    const decided = await waitForDecision();
    if (!decided) {
      end(state, SessionStatus.EXPIRED, `no decision within ${input.reviewTimeoutMs} ms`, now());
      publish();
      await logEvent('review', 'Session expired: no review decision in time');
      return;
    }
    const decision = state.events.at(-1);
    if (decision?.kind === 'rejected') {
      await logEvent('review', `Rejected to ${decision.rejectTo} (review round ${decision.reviewRound}): ${decision.feedback}`, true);
    } else if (decision?.kind === 'approved') {
      await logEvent('review', `Approved review round ${decision.reviewRound}`, true);
    }
  }

  /** Wait for a decision up to the review timeout, with a reminder every `remindAfterMs` when webhooks ask for one. */
  async function waitForDecision(): Promise<boolean> {
    const inReview = () => state.status !== SessionStatus.AWAITING_APPROVAL;
    const remindEvery = notify?.remindAfterMs ?? null;
    if (remindEvery === null || !isPatched(WEBHOOKS_PATCH)) return condition(inReview, input.reviewTimeoutMs);
    const deadline = Date.now() + input.reviewTimeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      if (await condition(inReview, Math.min(remindEvery, left))) return true;
      if (deadline - Date.now() > 0) await announce('review.reminder');
    }
  }

  async function runSession(): Promise<void> {
    for (;;) {
      switch (state.phase) {
        case 'pm':
          await runAgent('pm');
          completePhase(state, 'pm');
          break;
        case 'architect':
          await runAgent('architect');
          completePhase(state, 'architect');
          break;
        case 'review':
          await awaitDecision();
          if (state.status !== SessionStatus.RUNNING) return;
          break;
        case 'engineer':
          await runAgent('engineer');
          completePhase(state, 'engineer');
          break;
        case 'qa':
          await runAgent('qa');
          publish();
          if (state.status !== SessionStatus.RUNNING) return;
          break;
        case 'done':
          return;
      }
    }
  }

  try {
    await runSession();
  } catch (err) {
    if (err instanceof ExpiredWhilePaused) {
      await announceEnd();
      return state;
    }
    if (isCancellation(err)) {
      end(state, SessionStatus.CANCELLED, 'cancelled on request', now());
      publish();
      await CancellationScope.nonCancellable(async () => {
        await logEvent(state.phase, 'Session cancelled');
        await announceEnd();
      });
      throw err;
    }
    if (err instanceof ActivityFailure) {
      fail(state, `${state.phase} failed: ${err.cause?.message ?? err.message}`, now());
      publish();
    } else {
      throw err;
    }
  }

  await CancellationScope.nonCancellable(() => announceEnd());
  if (state.status === SessionStatus.FAILED) {
    await CancellationScope.nonCancellable(() => logEvent(state.phase, `Session failed: ${state.failureReason}`));
    throw ApplicationFailure.nonRetryable(state.failureReason ?? 'session failed', FailureType.SESSION_FAILED);
  }
  if (state.status === SessionStatus.COMPLETED) await CancellationScope.nonCancellable(() => logEvent('done', 'Session completed'));
  return state;
}

/** Refuse a decision: a malformed round (validation), a round that is not the open one (stale), or no review open. */
function assertDecisionAllowed(state: SessionState, args: DecisionArgs | undefined): void {
  const malformed = reviewRoundProblem(args);
  if (malformed) throw ApplicationFailure.nonRetryable(malformed, FailureType.VALIDATION);
  const stale = staleRoundRefusal(state, args);
  if (stale) {
    const now: StaleReviewDetails = { reviewRound: state.reviewRound, status: state.status, phase: state.phase };
    throw ApplicationFailure.create({ message: stale, type: FailureType.STALE_REVIEW, nonRetryable: true, details: [now] });
  }
  const refusal = decisionRefusal(state);
  if (refusal) throw ApplicationFailure.nonRetryable(refusal, FailureType.INVALID_OPERATION);
}

/** Refuse a budget extension: a bad amount (validation), a finished session or one without a cap. */
function assertExtensionAllowed(state: SessionState, args: ExtendBudgetArgs | undefined): void {
  const problem = budgetExtensionProblem(state, args);
  if (problem) throw ApplicationFailure.nonRetryable(problem.message, problem.validation ? FailureType.VALIDATION : FailureType.INVALID_OPERATION);
}

function assertValidRejection(args: RejectArgs): void {
  const problem = rejectArgsProblem(args);
  if (problem) throw ApplicationFailure.nonRetryable(problem, FailureType.VALIDATION);
}
