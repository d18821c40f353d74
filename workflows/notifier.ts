import { ActivityFailure, ApplicationFailure, condition, TimeoutFailure, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  deliveriesQuery,
  FINAL_WEBHOOK_EVENTS,
  hostOf,
  type NotifierActivities,
  type NotifierInput,
  type WebhookDeliveryRecord,
  type WebhookEvent,
  webhookEventSignal,
} from './webhook-definitions';

/** History events after which the notifier continues as new (a session in review for weeks sends reminders). */
const CONTINUE_AS_NEW_EVENTS = 2_000;
/** A finished session's notifier waits this long for a late event before it ends. */
const LINGER_MS = 60_000;

/**
 * Delivers a session's webhooks, in order, each event to every receiver: one activity per delivery, retried with
 * capped backoff for the retry window. A delivery that gives up is recorded and the next event goes on; nothing
 * here can fail the session, which never waits for it (it runs as an abandoned child).
 */
export async function sessionNotifierWorkflow(input: NotifierInput): Promise<WebhookDeliveryRecord[]> {
  const queue: WebhookEvent[] = [...input.pending];
  const deliveries: WebhookDeliveryRecord[] = [...(input.deliveries ?? [])];
  const seen = new Set(deliveries.map((d) => d.eventId));
  for (const event of queue) seen.add(event.id);
  let finished = false;
  setHandler(webhookEventSignal, (event) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    queue.push(event);
  });
  setHandler(deliveriesQuery, () => deliveries);
  const { deliverWebhook } = proxyActivities<NotifierActivities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: input.retryWindowMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });

  for (;;) {
    if (!finished) await condition(() => queue.length > 0);
    else if (!(await condition(() => queue.length > 0, LINGER_MS))) return deliveries;
    const event = queue.shift()!;
    await Promise.all(input.targets.map(async (target) => deliveries.push(await deliver(deliverWebhook, target, event))));
    if (FINAL_WEBHOOK_EVENTS.includes(event.type)) finished = true;
    if (workflowInfo().historyLength > CONTINUE_AS_NEW_EVENTS && queue.length === 0) {
      await continueAsNew<typeof sessionNotifierWorkflow>({ ...input, pending: [], deliveries });
    }
  }
}

async function deliver(deliverWebhook: NotifierActivities['deliverWebhook'], target: string, event: WebhookEvent): Promise<WebhookDeliveryRecord> {
  const record = { eventId: event.id, type: event.type, host: hostOf(target) };
  try {
    const result = await deliverWebhook({ target, event });
    return { ...record, outcome: 'delivered', attempts: result.attempt, lastStatus: result.status, lastError: null, at: new Date().toISOString() };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    // The last attempt's figures: in the failure's details, or (the window ran out) in its last heartbeat.
    const details = (
      cause instanceof ApplicationFailure ? cause.details?.[0] : cause instanceof TimeoutFailure ? cause.lastHeartbeatDetails : undefined
    ) as { status?: number | null; attempt?: number; error?: string } | undefined;
    return {
      ...record,
      outcome: 'gave_up',
      attempts: details?.attempt ?? 0,
      lastStatus: details?.status ?? null,
      lastError: details?.error ?? cause?.message ?? err.message,
      at: new Date().toISOString(),
    };
  }
}
