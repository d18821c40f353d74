import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WebhookDeliveryInput, WebhookDeliveryResult } from '../../workflows/webhook-definitions';
import { type WebhookFormat, webhookBody } from './payload';
import { resolveTarget } from './receiver-ref';
import { signedHeaders } from './standard-webhooks';

/** What a worker delivers webhooks with; the secret never leaves the worker. */
export interface WebhookDeliverySettings {
  /** `whsec_…`; unset sends the webhook unsigned. */
  secret?: string;
  format: WebhookFormat;
  /** Bound on one attempt. */
  timeoutMs: number;
  /** This worker's `WEBHOOK_URLS`: what a configured receiver's reference resolves to. */
  configuredUrls: readonly string[];
}

/**
 * The delivery activity: one POST of one event to one receiver. A 2xx is delivered; anything else (an error
 * status, no answer, a timeout) fails the attempt, and Temporal retries it with capped backoff until the notifier's
 * retry window ends. Each failed attempt heartbeats its figures first, so the notifier can record them.
 */
export function createWebhookDelivery(settings: WebhookDeliverySettings): (input: WebhookDeliveryInput) => Promise<WebhookDeliveryResult> {
  return async ({ target, event }) => {
    const attempt = Context.current().info.attempt;
    const url = resolveTarget(target, settings.configuredUrls);
    if (url === null) {
      const error = 'the receiver is no longer in this worker’s WEBHOOK_URLS';
      throw ApplicationFailure.create({ type: 'WebhookReceiverUnknown', message: error, nonRetryable: true, details: [{ status: null, attempt, error }] });
    }
    const body = webhookBody(event, settings.format);
    const signature = settings.secret ? signedHeaders(settings.secret, event.id, Math.floor(Date.now() / 1000), body) : { 'webhook-id': event.id };
    let status: number | null = null;
    let error: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'ai-dev-orchestrator-webhooks', ...signature },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      status = response.status;
      if (response.ok) return { status, attempt };
      error = `the receiver answered ${response.status}`;
    } catch (err) {
      error = `no answer: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`;
    }
    Context.current().heartbeat({ status, attempt, error });
    throw ApplicationFailure.create({ type: 'WebhookNotDelivered', message: error, details: [{ status, attempt, error }] });
  };
}
