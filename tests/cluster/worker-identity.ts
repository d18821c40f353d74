import type { Client } from '@temporalio/client';

/** Who did what in one session, read from its Temporal history. */
export interface SessionWorkers {
  /** Per activity attempt that started: its type and the identity of the worker that ran it. */
  activities: { type: string; identity: string }[];
  /** Per accepted decision (update): the identity of the worker whose workflow task accepted it. */
  updates: { name: string; identity: string }[];
}

/** Read from a session's history which worker ran each activity and which accepted each decision. */
export async function sessionWorkers(client: Client, sessionId: string): Promise<SessionWorkers> {
  const history = await client.workflow.getHandle(sessionId).fetchHistory();
  const scheduled = new Map<string, string>();
  const result: SessionWorkers = { activities: [], updates: [] };
  let lastTaskIdentity = '';
  for (const event of history.events ?? []) {
    const id = String(event.eventId);
    if (event.activityTaskScheduledEventAttributes) scheduled.set(id, event.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    const started = event.activityTaskStartedEventAttributes;
    if (started) result.activities.push({ type: scheduled.get(String(started.scheduledEventId)) ?? '?', identity: started.identity ?? '' });
    if (event.workflowTaskCompletedEventAttributes) lastTaskIdentity = event.workflowTaskCompletedEventAttributes.identity ?? '';
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted) result.updates.push({ name: accepted.acceptedRequest?.input?.name ?? '?', identity: lastTaskIdentity });
  }
  return result;
}

/** The identity a TypeScript SDK worker has by default. */
export function identityOfPid(pid: number | undefined, hostname: string): string {
  return `${pid}@${hostname}`;
}
