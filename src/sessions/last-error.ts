import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { type AgentPhase, phaseOfActivity } from '../../workflows/definitions';
import { redactCredentials } from '../redaction';

/** Why the session's current phase is retrying: its last failed attempt, as Temporal's pending-activity information says. */
export interface LastError {
  phase: AgentPhase;
  /** The failure's message, with anything that looks like a credential redacted. */
  message: string;
  /** The failure's type (for example `SandboxUnavailable`), or null when it had none. */
  reason: string | null;
  /** The attempt that failed. */
  attempt: number;
  /** When Temporal tries again; null while an attempt is running. */
  nextAttemptAt: Date | null;
}

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;
const { PENDING_ACTIVITY_STATE_STARTED } = temporal.api.enums.v1.PendingActivityState;

/** The first pending agent activity that has failed at least once, or null. */
export function lastErrorOf(pending: readonly PendingActivity[] | null | undefined): LastError | null {
  for (const activity of pending ?? []) {
    const phase = phaseOfActivity(activity.activityType?.name ?? '');
    const failure = activity.lastFailure;
    if (!phase || !failure) continue;
    const nextMs = optionalTsToMs(activity.nextAttemptScheduleTime);
    const running = activity.state === PENDING_ACTIVITY_STATE_STARTED;
    return {
      phase,
      message: redactCredentials(failure.message ?? ''),
      reason: failure.applicationFailureInfo?.type || null,
      // Temporal counts the attempt it schedules or runs next; the failure is the one before it.
      attempt: Math.max(1, (activity.attempt ?? 2) - 1),
      nextAttemptAt: running || nextMs === undefined ? null : new Date(nextMs),
    };
  }
  return null;
}

