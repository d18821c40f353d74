import { Context } from '@temporalio/activity';
import { carriedLedger } from './attempt-ledger';

/** What an agent needs from the Temporal activity it runs in; a detached stand-in outside one. */
export interface ActivityScope {
  /** Aborted when the activity is cancelled (the session was cancelled, or the activity timed out). */
  signal: AbortSignal;
  heartbeat(details?: unknown): void;
  /** Identifies this activity execution; null outside an activity. */
  execution: { workflowId: string; activityId: string; attempt: number } | null;
}

/** The current activity's scope, or a detached one when called outside an activity (unit tests). */
export function currentScope(): ActivityScope {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return { signal: new AbortController().signal, heartbeat: () => undefined, execution: null };
  }
  const { info } = context;
  return {
    signal: context.cancellationSignal,
    heartbeat: (details?: unknown) => context.heartbeat(details ?? carriedLedger(context)),
    execution: { workflowId: info.workflowExecution?.workflowId ?? 'standalone', activityId: info.activityId, attempt: info.attempt },
  };
}

/** Heartbeat once a second until `work` settles, so long provider calls keep the activity alive. */
export async function withHeartbeats<T>(scope: ActivityScope, work: Promise<T>): Promise<T> {
  scope.heartbeat();
  const ticker = setInterval(() => scope.heartbeat(), 1_000);
  try {
    return await work;
  } finally {
    clearInterval(ticker);
  }
}
