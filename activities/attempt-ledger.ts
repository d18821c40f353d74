import { Context } from '@temporalio/activity';
import type { PhaseResult, TokenUsage } from '../workflows/definitions';
import { addUsage } from './token-usage';

/**
 * What an agent activity remembers across its attempts, in its heartbeat details (Temporal hands the last ones to
 * the next attempt): how many attempts ended in a failure that is not an environment fault, and whether the attempt
 * that wrote it reported its end (one that did not: it timed out, or its worker died). An attempt that fails hands its
 * ledger over with the failure; heartbeats are throttled, so one whose worker died loses what it recorded since its
 * last heartbeat reached the server: tokens are then undercounted and work redone, never counted or skipped twice.
 */
export interface AttemptLedger {
  ordinaryFailures: number;
  attempt: number;
  settled: boolean;
  /** Attempts that ended in an environment fault (absent in ledgers written before it was counted). */
  environmentFaults?: number;
  /**
   * A result an attempt reached before a later step of the same activity failed (QA's verdict, then its push): the
   * next attempts finish from it instead of doing the work again. Small (no file contents); absent until reached.
   */
  reached?: unknown;
  /** Tokens this attempt's model calls spent so far. */
  spent?: TokenUsage;
  /**
   * Tokens spent by earlier attempts that did not finish (failed, timed out, lost their worker) and by no result
   * kept: the attempt that succeeds adds them to its phase result's usage, so the session counts every token.
   */
  spentEarlier?: TokenUsage;
}

const carried = new WeakMap<Context, AttemptLedger>();

/** The ledger the previous attempt left, or null on a first attempt (or for an activity that never wrote one). */
export function previousLedger(ctx: Context): AttemptLedger | null {
  const value = ctx.info.heartbeatDetails as Partial<AttemptLedger> | undefined;
  if (!value || typeof value.ordinaryFailures !== 'number' || typeof value.attempt !== 'number') return null;
  return {
    ordinaryFailures: value.ordinaryFailures,
    attempt: value.attempt,
    settled: value.settled === true,
    environmentFaults: typeof value.environmentFaults === 'number' ? value.environmentFaults : 0,
    ...(value.reached !== undefined ? { reached: value.reached } : {}),
    ...(isUsage(value.spent) ? { spent: value.spent } : {}),
    ...(isUsage(value.spentEarlier) ? { spentEarlier: value.spentEarlier } : {}),
  };
}

function isUsage(value: unknown): value is TokenUsage {
  const usage = value as Partial<TokenUsage> | undefined;
  return typeof usage?.promptTokens === 'number' && typeof usage.completionTokens === 'number' && typeof usage.totalTokens === 'number';
}

/** Record `ledger` for this attempt: heartbeat it now, and let every later heartbeat without details carry it. */
export function recordLedger(ctx: Context, ledger: AttemptLedger): void {
  carried.set(ctx, ledger);
  ctx.heartbeat(ledger);
}

/** The details a heartbeat of this activity sends when its caller gives none: the attempt ledger. */
export function carriedLedger(ctx: Context): AttemptLedger | undefined {
  return carried.get(ctx);
}

/**
 * Keep `result` in the running attempt's ledger as {@link AttemptLedger.reached}. Nothing outside an activity with a
 * ledger (one the retry-limit interceptor does not count, or a unit test).
 */
export function recordReached(result: unknown): void {
  const running = runningLedger();
  if (!running) return;
  // The result carries what this attempt spent: a later attempt that finishes from it must not count it again.
  const { spent: _inResult, ...rest } = running.ledger;
  recordLedger(running.ctx, { ...rest, reached: result });
}

/** What the running attempt's model calls spent so far (those whose replies could not be used too), or undefined. */
export function spentThisAttempt(): TokenUsage | undefined {
  return runningLedger()?.ledger.spent;
}

/** Count a model call's tokens in the running attempt's ledger (see {@link AttemptLedger.spentEarlier}). */
export function recordSpent(usage: TokenUsage): void {
  const running = runningLedger();
  if (running) recordLedger(running.ctx, { ...running.ledger, spent: addUsage(running.ledger.spent, usage) });
}

/**
 * What a new attempt takes over from the previous one's ledger: the result it reached, and the tokens spent by every
 * attempt before this one (the previous attempt's own spending joins the earlier ones').
 */
export function carriedOver(previous: AttemptLedger | null): Pick<AttemptLedger, 'reached' | 'spentEarlier'> {
  const spentEarlier = addUsage(previous?.spentEarlier, previous?.spent);
  return { ...(previous?.reached !== undefined ? { reached: previous.reached } : {}), ...(spentEarlier ? { spentEarlier } : {}) };
}

/**
 * A phase result with the tokens earlier attempts spent added to its usage; other results as they are. What a
 * bookkeeping activity or an engineer-loop step returns has no phase usage to add them to.
 */
export function withEarlierSpending<R>(result: R, ledger: AttemptLedger | undefined): R {
  const spentEarlier = ledger?.spentEarlier;
  if (!spentEarlier || typeof result !== 'object' || result === null || !Array.isArray((result as Partial<PhaseResult>).artifacts)) return result;
  const phaseResult = result as unknown as PhaseResult;
  return { ...phaseResult, usage: addUsage(phaseResult.usage, spentEarlier) } as R;
}

/** What an earlier attempt of the running activity reached (see {@link AttemptLedger.reached}), or undefined. */
export function reachedEarlier(): unknown {
  return runningLedger()?.ledger.reached;
}

/** Ordinary failures recorded before the current attempt of the activity running now (0 outside one). */
export function ordinaryFailuresSoFar(): number {
  return runningLedger()?.ledger.ordinaryFailures ?? 0;
}

/** The running activity and its ledger; null outside an activity, or in one without a ledger. */
function runningLedger(): { ctx: Context; ledger: AttemptLedger } | null {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return null;
  }
  const ledger = carried.get(ctx);
  return ledger ? { ctx, ledger } : null;
}
