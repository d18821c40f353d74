import {
  ChildWorkflowCancellationType,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { phaseRetryingSignal, type SessionState, type SessionWorkflowInput } from './definitions';
import { sessionNotifierWorkflow } from './notifier';
import { notifierWorkflowId, type WebhookEvent, type WebhookEventType, webhookEventSignal } from './webhook-definitions';

/** How a session hands its webhook events to its notifier. */
export interface SessionAnnouncer {
  /**
   * Hand an event to the session's notifier (started on the first one, as a child the session abandons when it
   * closes): it delivers them in order and retries each; nothing about a webhook can fail or hold up the session.
   */
  announce: (type: WebhookEventType, reason?: string | null) => Promise<void>;
  /** The session's last event, for its final status. */
  announceEnd: () => Promise<void>;
}

/** What the announcer needs of its session. */
export interface AnnouncerOptions {
  state: SessionState;
  /** The session's receivers; null without any (nothing is announced). */
  notify: NonNullable<SessionWorkflowInput['notify']> | null;
  /** Whether the session announces at all (its patch), asked at each event as before the announcer had a file. */
  enabled: () => boolean;
  now: () => string;
}

/**
 * The session's announcer; it also takes the worker's word that a phase is retrying an environment fault, and
 * announces `session.retrying` once per phase run.
 */
export function createAnnouncer({ state, notify, enabled, now }: AnnouncerOptions): SessionAnnouncer {
  let notifierStarting: Promise<void> | null = null;
  let announced = 0;

  async function announce(type: WebhookEventType, reason: string | null = null): Promise<void> {
    if (!notify || !enabled()) return;
    announced += 1;
    const event: WebhookEvent = {
      id: `${state.sessionId}.${announced}.${type}`,
      type,
      at: now(),
      sessionId: state.sessionId,
      userMission: state.userMission,
      projectName: state.projectName,
      status: state.status,
      phase: state.phase,
      reviewRound: state.reviewRound,
      iterationCount: state.iterationCount,
      reason,
      publicBaseUrl: notify.publicBaseUrl,
    };
    const notifierId = notifierWorkflowId(state.sessionId);
    try {
      if (!notifierStarting) {
        notifierStarting = startChild(sessionNotifierWorkflow, {
          workflowId: notifierId,
          args: [{ sessionId: state.sessionId, targets: notify.targets, retryWindowMs: notify.retryWindowMs, pending: [event] }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          // Cancelling the session must not cancel its notifier: it still has to announce the cancellation.
          cancellationType: ChildWorkflowCancellationType.ABANDON,
        }).then(() => undefined);
        await notifierStarting;
      } else {
        // An event that comes while the notifier is starting (a signal handler's) waits for it to exist.
        await notifierStarting;
        await getExternalWorkflowHandle(notifierId).signal(webhookEventSignal, event);
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('Webhook event not handed to the notifier', { sessionId: state.sessionId, type, error: String(err) });
    }
  }

  async function announceEnd(): Promise<void> {
    const type = ({ completed: 'session.completed', failed: 'session.failed', expired: 'session.expired', cancelled: 'session.cancelled' } as const)[
      state.status as 'completed' | 'failed' | 'expired' | 'cancelled'
    ];
    const ended = state.events.at(-1);
    if (type) await announce(type, ended?.kind === 'session_ended' ? ended.reason : null);
  }

  const retryingAnnounced = new Set<string>();
  setHandler(phaseRetryingSignal, async (args) => {
    const run = `${args.phase}/${state.iterationCount}/${state.reviewRound}`;
    if (!notify || retryingAnnounced.has(run)) return;
    retryingAnnounced.add(run);
    await announce('session.retrying', `${args.phase} is retrying${args.reason ? ` (${args.reason})` : ''}: ${args.message}`.slice(0, 500));
  });

  return { announce, announceEnd };
}
