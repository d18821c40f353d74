import type { SessionInfo } from '../sessions/session-info';

/** No session with that id exists (or it is past retention). */
export class SessionNotFoundError extends Error {
  override readonly name = 'SessionNotFoundError';
  constructor(readonly sessionId: string, options?: { cause?: unknown }) {
    super(`Session not found: ${sessionId}`, options);
  }
}

/** The operation is not allowed in the session's current state (e.g. approving a session not in review). */
export class InvalidOperationError extends Error {
  override readonly name: string = 'InvalidOperationError';
}

/**
 * A decision named a review round that is not the open one (a newer review replaced it, or none is open):
 * nothing changed. `session` is the session as it is now.
 */
export class StaleReviewError extends InvalidOperationError {
  override readonly name = 'StaleReviewError';
  constructor(message: string, readonly session: SessionInfo, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An argument is invalid (the spec's `ValueError`): an empty mission, blank feedback, a bad `rejectTo`. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
}

/** Starting a session would exceed `maxActiveSessions` (the spec's `RuntimeError`). */
export class MaxSessionsExceededError extends Error {
  override readonly name = 'MaxSessionsExceededError';
  constructor(readonly activeSessions: number, readonly maxActiveSessions: number) {
    super(`Too many active sessions: ${activeSessions} of at most ${maxActiveSessions}`);
  }
}

/** Temporal did not answer in time (unreachable, or too slow); nothing is known to have changed. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
  /** True when answered from the known connection state, without waiting on Temporal. */
  readonly fromConnectionState: boolean;
  constructor(message: string, options: { cause?: unknown; fromConnectionState?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.fromConnectionState = options.fromConnectionState ?? false;
  }
}

/** Temporal answered, but no worker did (a state query needs one): start a worker and try again. */
export class WorkerUnavailableError extends Error {
  override readonly name = 'WorkerUnavailableError';
}

/**
 * A decision was sent but no worker confirmed it in time. It may still be applied when a worker picks the
 * session up; repeating the call with the same `decisionId` is safe and returns the outcome once known.
 */
export class DecisionTimeoutError extends Error {
  override readonly name = 'DecisionTimeoutError';
  constructor(readonly sessionId: string, readonly decisionId: string, readonly timeoutMs: number, options?: { cause?: unknown }) {
    super(
      `No worker confirmed the decision on ${sessionId} within ${timeoutMs} ms (Temporal unreachable or no worker running). ` +
        'It may still be applied when a worker picks the session up; retry with the same idempotency key to learn the outcome: ' +
        'a retry never applies it twice.',
      options,
    );
  }
}

/** An idempotency key was reused for a request with different content than the one that first used it. */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
}

/** A `notify_url` whose host is not in `WEBHOOK_ALLOWED_HOSTS`: well-formed, but not a receiver this service calls. */
export class NotifyUrlNotAllowedError extends Error {
  override readonly name = 'NotifyUrlNotAllowedError';
}
