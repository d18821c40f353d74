import type { Context } from '@temporalio/activity';
import { redactErrorMessages } from '../src/redaction';
import { carriedLedger, carriedOver, previousLedger, recordLedger, withEarlierSpending } from './attempt-ledger';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { phaseOfActivity, phaseRetryingSignal } from '../workflows/definitions';
import { ENVIRONMENT_FAULT_TYPES, OTHER_FAILURE_MAX_ATTEMPTS } from './failures';


/** Whether `failure` counts against {@link OTHER_FAILURE_MAX_ATTEMPTS}: anything but an environment fault or a cancellation. */
export function isOrdinaryFailure(failure: unknown): boolean {
  if (failure instanceof CancelledFailure) return false;
  return !(failure instanceof ApplicationFailure && ENVIRONMENT_FAULT_TYPES.has(failure.type ?? ''));
}

/** Whether `failure`, the `ordinaryFailures`-th ordinary one of its activity, is the last Temporal should see. */
export function isFinalAttempt(failure: unknown, ordinaryFailures: number): boolean {
  if (failure instanceof ApplicationFailure && failure.nonRetryable) return false;
  return isOrdinaryFailure(failure) && ordinaryFailures >= OTHER_FAILURE_MAX_ATTEMPTS;
}

/**
 * `failure` made non-retryable when {@link isFinalAttempt} says so, keeping its type and message: the session
 * workflow gives agent phases unlimited attempts within a retry window (for environment faults), and this keeps
 * every other failure at {@link OTHER_FAILURE_MAX_ATTEMPTS} attempts.
 */
export function limitAttempts(failure: unknown, ordinaryFailures: number): unknown {
  if (!isFinalAttempt(failure, ordinaryFailures)) return failure;
  const message = failure instanceof Error ? failure.message : String(failure);
  const type = (failure instanceof ApplicationFailure ? failure.type : null) ?? (failure instanceof Error ? failure.name : 'Error');
  return ApplicationFailure.create({
    message: `${message} (after ${ordinaryFailures} failed attempts)`,
    type,
    nonRetryable: true,
    cause: failure instanceof Error ? failure : undefined,
  });
}

/** Bound on telling the session that a phase started retrying an environment fault. */
const RETRYING_SIGNAL_TIMEOUT_MS = 2_000;

/**
 * Tell the session that this activity's first environment fault is being retried (its webhooks announce
 * `session.retrying`); best-effort: the session never depends on it.
 */
async function tellSessionRetrying(ctx: Context, err: unknown): Promise<void> {
  const phase = phaseOfActivity(ctx.info.activityType);
  const execution = ctx.info.workflowExecution;
  if (!phase || !execution) return;
  try {
    const handle = ctx.client.workflow.getHandle(execution.workflowId, execution.runId);
    const reason = err instanceof ApplicationFailure ? (err.type ?? null) : null;
    await ctx.client.connection.withDeadline(Date.now() + RETRYING_SIGNAL_TIMEOUT_MS, () =>
      handle.signal(phaseRetryingSignal, { phase, reason, message: err instanceof Error ? err.message : String(err) }),
    );
  } catch {
    // no client (a test worker without one) or Temporal busy: the retry goes on regardless
  }
}

/**
 * The worker interceptor that keeps ordinary failures of the agent phases' activities at
 * {@link OTHER_FAILURE_MAX_ATTEMPTS} attempts (bookkeeping activities keep their own policy). Attempts are counted
 * in the activity's heartbeat details, so environment-fault attempts do not count, and an attempt that ended without
 * reporting (a timeout, a worker that died) does.
 */
export const retryLimitInterceptor: ActivityInterceptorsFactory = (ctx: Context) => ({
  inbound: {
    async execute(input, next) {
      if (phaseOfActivity(ctx.info.activityType) === null) return next(input);
      const previous = previousLedger(ctx);
      const silent = previous !== null && !previous.settled && previous.attempt < ctx.info.attempt ? 1 : 0;
      const before = (previous?.ordinaryFailures ?? 0) + silent;
      if (before >= OTHER_FAILURE_MAX_ATTEMPTS) {
        throw ApplicationFailure.create({
          message: `${before} attempts of ${ctx.info.activityType} failed, timed out or lost their worker`,
          type: 'AttemptsExhausted',
          nonRetryable: true,
        });
      }
      const faults = previous?.environmentFaults ?? 0;
      recordLedger(ctx, { ordinaryFailures: before, attempt: ctx.info.attempt, settled: false, environmentFaults: faults, ...carriedOver(previous) });
      try {
        return withEarlierSpending(await next(input), carriedLedger(ctx));
      } catch (err) {
        redactErrorMessages(err);
        const ordinary = isOrdinaryFailure(err);
        const environmental = !ordinary && !(err instanceof CancelledFailure);
        const after = before + (ordinary ? 1 : 0);
        // What the attempt reached and spent stays in the ledger for the next one.
        recordLedger(ctx, { ...carriedLedger(ctx), ordinaryFailures: after, attempt: ctx.info.attempt, settled: true, environmentFaults: faults + (environmental ? 1 : 0) });
        if (environmental && faults === 0) await tellSessionRetrying(ctx, err);
        throw limitAttempts(err, after);
      }
    },
  },
});
