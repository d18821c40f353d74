/** No session with that id exists (or it is past retention). */
export class SessionNotFoundError extends Error {
  override readonly name = 'SessionNotFoundError';
  constructor(readonly sessionId: string, options?: { cause?: unknown }) {
    super(`Session not found: ${sessionId}`, options);
  }
}

/** The operation is not allowed in the session's current state (e.g. approving a session not in review). */
export class InvalidOperationError extends Error {
  override readonly name = 'InvalidOperationError';
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
