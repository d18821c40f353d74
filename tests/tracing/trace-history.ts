import type { Client } from '@temporalio/client';
import { SDK_TRACE_HEADER } from '../../workflows/trace-headers';

/** Which events of a session's history carry the SDK's trace header: the start, and each scheduled activity. */
export async function traceHeadersInHistory(client: Client, sessionId: string): Promise<{ started: boolean; scheduled: boolean[] }> {
  const history = await client.workflow.getHandle(sessionId).fetchHistory();
  const events = history.events ?? [];
  const startFields = events[0]?.workflowExecutionStartedEventAttributes?.header?.fields ?? {};
  const scheduled = events
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((attributes) => attributes !== null && attributes !== undefined)
    .map((attributes) => SDK_TRACE_HEADER in (attributes.header?.fields ?? {}));
  return { started: SDK_TRACE_HEADER in startFields, scheduled };
}
