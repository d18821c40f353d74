import { Context } from '@temporalio/activity';

/**
 * What an agent activity remembers across its attempts, in its heartbeat details (Temporal hands the last ones to
 * the next attempt): how many attempts ended in a failure that is not an environment fault, and whether the attempt
 * that wrote it reported its end (one that did not timed out, or its worker died).
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
  };
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
  const ctx = currentContext();
  const ledger = ctx && carried.get(ctx);
  if (ctx && ledger) recordLedger(ctx, { ...ledger, reached: result });
}

/** What an earlier attempt of the running activity reached (see {@link AttemptLedger.reached}), or undefined. */
export function reachedEarlier(): unknown {
  const ctx = currentContext();
  return ctx ? carried.get(ctx)?.reached : undefined;
}

function currentContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

/** Ordinary failures recorded before the current attempt of the activity running now (0 outside one). */
export function ordinaryFailuresSoFar(): number {
  const ctx = currentContext();
  return (ctx && carried.get(ctx)?.ordinaryFailures) ?? 0;
}
