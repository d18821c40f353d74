/**
 * Webhooks: the events a session announces, the notifier workflow that delivers them, and the delivery activity's
 * contract. No side effects: the workflow sandbox, the worker and the gateway import it.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Phase, SessionStatus } from './vocabulary';

/** The notifier of a session: one per session, started by it on its first event and left running when it closes. */
export function notifierWorkflowId(sessionId: string): string {
  return `${sessionId}-notifier`;
}

/** What a session announces. */
export const WEBHOOK_EVENT_TYPES = [
  'review.requested',
  'review.reminder',
  'session.retrying',
  'session.paused',
  'session.completed',
  'session.failed',
  'session.expired',
  'session.cancelled',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Events after which a session sends nothing more: the notifier ends once it delivered one. */
export const FINAL_WEBHOOK_EVENTS: readonly WebhookEventType[] = ['session.completed', 'session.failed', 'session.expired', 'session.cancelled'];

/**
 * A receiver as the workflow knows it. `WEBHOOK_URLS` may carry credentials (a Slack webhook's path is one), so a
 * configured receiver travels as `cfg:` and a hash of its URL, which the worker resolves from its own
 * `WEBHOOK_URLS`; a session's own `notify_url` (refused with credentials in it) travels as itself.
 */
export interface WebhookTarget {
  ref: string;
  /** For records and logs. */
  host: string;
}

/** Where a session's webhooks go and what their links point at; fixed in the session's input at its start. */
export interface SessionNotifySettings {
  /** Receivers: `WEBHOOK_URLS` and the session's own `notify_url` (plain URLs in sessions started before references). */
  targets: (WebhookTarget | string)[];
  /** `PUBLIC_BASE_URL`: links to the gateway and the dashboard; null leaves them out. */
  publicBaseUrl: string | null;
  /** `REVIEW_REMIND_AFTER_SECONDS` in ms: a reminder every that long while a review waits; null: none. */
  remindAfterMs: number | null;
  /** `WEBHOOK_RETRY_WINDOW_SECONDS` in ms: how long one delivery is retried. */
  retryWindowMs: number;
}

/** One event, as the session saw it (no document content: links only). */
export interface WebhookEvent {
  /** The `webhook-id`: the same for every retry and every receiver of this event. */
  id: string;
  type: WebhookEventType;
  /** When it happened (ISO 8601); the `webhook-timestamp` is the delivery attempt's. */
  at: string;
  sessionId: string;
  userMission: string;
  projectName: string | null;
  status: SessionStatus;
  phase: Phase;
  reviewRound: number;
  iterationCount: number;
  /** Why the session failed, expired, or paused. */
  reason: string | null;
  publicBaseUrl: string | null;
}

/** Input of the notifier workflow. */
export interface NotifierInput {
  sessionId: string;
  targets: (WebhookTarget | string)[];
  retryWindowMs: number;
  /** Events to deliver first to every receiver (the one that started it). */
  pending: WebhookEvent[];
  /** Events still to deliver, per receiver (carried over by continue-as-new); replaces `pending` when present. */
  pendingByTarget?: WebhookEvent[][];
  /** Receivers that were sent the session's last event (carried over by continue-as-new). */
  finishedTargets?: boolean[];
  /** Deliveries so far (carried over by continue-as-new). */
  deliveries?: WebhookDeliveryRecord[];
}

/** A delivery of one event to one receiver, as the notifier recorded it. */
export interface WebhookDeliveryRecord {
  eventId: string;
  type: WebhookEventType;
  /** The receiver's host (never its path or query, which may hold a token). */
  host: string;
  outcome: 'delivered' | 'gave_up';
  attempts: number;
  /** The receiver's last HTTP status, or null when it never answered. */
  lastStatus: number | null;
  /** Why the last attempt failed, when it did. */
  lastError: string | null;
  at: string;
}

/** Input of the delivery activity: the event and one receiver; the secret and format are the worker's settings. */
export interface WebhookDeliveryInput {
  target: WebhookTarget | string;
  event: WebhookEvent;
}

/** What a delivery attempt that the receiver accepted returns. */
export interface WebhookDeliveryResult {
  status: number;
  attempt: number;
}

/** The notifier's activities. */
export interface NotifierActivities {
  deliverWebhook(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult>;
}

/** An event for the notifier, in order. */
export const webhookEventSignal = defineSignal<[WebhookEvent]>('webhookEvent');
/** The deliveries so far. */
export const deliveriesQuery = defineQuery<WebhookDeliveryRecord[]>('deliveries');

/** A target in its current form (a plain URL from a session started before references). */
export function targetOf(target: WebhookTarget | string): WebhookTarget {
  return typeof target === 'string' ? { ref: target, host: hostOf(target) } : target;
}

/** The receiver's host, for records and logs (no credentials, path or query). */
export function hostOf(target: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]+)/i.exec(target);
  return match?.[1] ?? 'unknown';
}
