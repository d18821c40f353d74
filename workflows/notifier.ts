import { ActivityFailure, ApplicationFailure, condition, TimeoutFailure, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  deliveriesQuery,
  FINAL_WEBHOOK_EVENTS,
  type NotifierActivities,
  type NotifierInput,
  type WebhookDeliveryRecord,
  type WebhookEvent,
  webhookEventSignal,
  targetOf,
  type WebhookTarget,
} from './webhook-definitions';

/** History events after which the notifier continues as new (a session in review for weeks sends reminders). */
const CONTINUE_AS_NEW_EVENTS = 2_000;
/** A receiver that delivered the session's last event waits this long for a late one before it stops. */
const LINGER_MS = 60_000;

/**
 * Delivers a session's webhooks: every receiver gets every event in order, from a queue of its own (a receiver that
 * is down holds back only itself). One activity per delivery, retried with capped backoff for the retry window; a
 * delivery that gives up is recorded and that receiver's next event goes on. Nothing here can fail the session,
 * which never waits for it (it runs as an abandoned child).
 */
export async function sessionNotifierWorkflow(input: NotifierInput): Promise<WebhookDeliveryRecord[]> {
  const targets = input.targets.map(targetOf);
  const queues: WebhookEvent[][] = targets.map((_, i) => [...(input.pendingByTarget?.[i] ?? input.pending)]);
  const deliveries: WebhookDeliveryRecord[] = [...(input.deliveries ?? [])];
  const seen = new Set(deliveries.map((d) => d.eventId));
  for (const queue of queues) for (const event of queue) seen.add(event.id);
  const finished: boolean[] = targets.map((_, i) => input.finishedTargets?.[i] ?? false);
  let inFlight = 0;
  setHandler(webhookEventSignal, (event) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    for (const queue of queues) queue.push(event);
  });
  setHandler(deliveriesQuery, () => deliveries);
  const { deliverWebhook } = proxyActivities<NotifierActivities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: input.retryWindowMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });

  const drain = async (index: number): Promise<void> => {
    const queue = queues[index]!;
    for (;;) {
      if (!finished[index]) await condition(() => queue.length > 0);
      else if (!(await condition(() => queue.length > 0, LINGER_MS))) return;
      const event = queue.shift()!;
      inFlight += 1;
      deliveries.push(await deliver(deliverWebhook, targets[index]!, event));
      inFlight -= 1;
      if (FINAL_WEBHOOK_EVENTS.includes(event.type)) finished[index] = true;
    }
  };
  const drained = Promise.all(targets.map((_, index) => drain(index)));
  // A long review sends many reminders: past a bound, start afresh with what is still pending.
  const tooLong = condition(() => workflowInfo().historyLength > CONTINUE_AS_NEW_EVENTS && inFlight === 0);
  const first = await Promise.race([drained.then(() => 'drained' as const), tooLong.then(() => 'long' as const)]);
  if (first === 'drained') return deliveries;
  return continueAsNew<typeof sessionNotifierWorkflow>({ ...input, pending: [], pendingByTarget: queues, finishedTargets: finished, deliveries });
}

async function deliver(deliverWebhook: NotifierActivities['deliverWebhook'], target: WebhookTarget, event: WebhookEvent): Promise<WebhookDeliveryRecord> {
  const record = { eventId: event.id, type: event.type, host: target.host };
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
