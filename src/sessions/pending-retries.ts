import type { Client } from '@temporalio/client';
import { type AgentPhase, SESSION_WORKFLOW_TYPE, SessionStatus } from '../../workflows/definitions';
import { lastErrorOf } from './last-error';
import { quoteQueryValue } from './session-listing';

/** A phase of one session that has failed `failedAttempts` times so far and is being retried. */
export interface PendingRetry {
  sessionId: string;
  /** Identifies the phase run (a phase that runs again later is another activity). */
  activityId: string;
  phase: AgentPhase;
  /** The failure type, or `unknown`. */
  reason: string;
  failedAttempts: number;
}

/** Sessions described per collection, at most: those in an agent phase, bounded by `maxActiveSessions` anyway. */
const MAX_DESCRIBED = 200;
const DESCRIBE_CONCURRENCY = 8;

/**
 * The retries under way: every session whose status is `running` is described, and each pending agent activity
 * that has failed at least once is reported with its failed attempts (Temporal's own count, so every gateway
 * sees the same figure).
 */
export async function pendingRetries(client: Client): Promise<PendingRetry[]> {
  const query = `WorkflowType = ${quoteQueryValue(SESSION_WORKFLOW_TYPE)} AND ExecutionStatus = 'Running' AND SessionStatus = ${quoteQueryValue(SessionStatus.RUNNING)}`;
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query, pageSize: MAX_DESCRIBED })) {
    ids.push(execution.workflowId);
    if (ids.length >= MAX_DESCRIBED) break;
  }
  const found: PendingRetry[] = [];
  for (let i = 0; i < ids.length; i += DESCRIBE_CONCURRENCY) {
    const described = await Promise.allSettled(ids.slice(i, i + DESCRIBE_CONCURRENCY).map((id) => client.workflow.getHandle(id).describe()));
    for (const result of described) {
      if (result.status !== 'fulfilled') continue;
      for (const activity of result.value.raw.pendingActivities ?? []) {
        const error = lastErrorOf([activity]);
        if (!error) continue;
        found.push({
          sessionId: result.value.workflowId,
          activityId: activity.activityId ?? '',
          phase: error.phase,
          reason: error.reason ?? 'unknown',
          failedAttempts: error.attempt,
        });
      }
    }
  }
  return found;
}
