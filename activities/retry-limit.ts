import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { phaseOfActivity } from '../workflows/definitions';
import { ENVIRONMENT_FAULT_TYPES, OTHER_FAILURE_MAX_ATTEMPTS } from './failures';


/** Whether `failure`, thrown on `attempt`, is the last one Temporal should see: not an environment fault, and out of attempts. */
export function isFinalAttempt(failure: unknown, attempt: number): boolean {
  if (failure instanceof CancelledFailure) return false;
  if (failure instanceof ApplicationFailure && (failure.nonRetryable || ENVIRONMENT_FAULT_TYPES.has(failure.type ?? ''))) return false;
  return attempt >= OTHER_FAILURE_MAX_ATTEMPTS;
}

/**
 * `failure` made non-retryable when {@link isFinalAttempt} says so, keeping its type and message: the session
 * workflow gives agent phases unlimited attempts within a retry window (for environment faults), and this keeps
 * every other failure at {@link OTHER_FAILURE_MAX_ATTEMPTS} attempts.
 */
export function limitAttempts(failure: unknown, attempt: number): unknown {
  if (!isFinalAttempt(failure, attempt)) return failure;
  const message = failure instanceof Error ? failure.message : String(failure);
  const type = (failure instanceof ApplicationFailure ? failure.type : null) ?? (failure instanceof Error ? failure.name : 'Error');
  return ApplicationFailure.create({
    message: `${message} (after ${attempt} attempts)`,
    type,
    nonRetryable: true,
    cause: failure instanceof Error ? failure : undefined,
  });
}

/** The worker interceptor that applies {@link limitAttempts} to the agent phases' activities (bookkeeping ones keep their own policy). */
export const retryLimitInterceptor: ActivityInterceptorsFactory = (ctx: Context) => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        if (phaseOfActivity(ctx.info.activityType) === null) throw err;
        throw limitAttempts(err, ctx.info.attempt);
      }
    },
  },
});
