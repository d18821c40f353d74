import type { Phase, SessionEvent, SessionStatus } from '../../workflows/definitions';

/** Status, phase and iteration of the session right after an audit entry. */
export interface AuditState {
  status: SessionStatus | 'pending';
  phase: Phase;
  iteration: number;
}

/** The state after applying `event` to `before` (what the page shows without asking again). */
export function applyAuditEvent(before: AuditState, event: SessionEvent): AuditState {
  switch (event.kind) {
    case 'phase_started':
      return {
        status: (event.phase === 'review' ? 'awaiting_approval' : 'running'),
        phase: event.phase,
        iteration: event.iteration,
      };
    case 'approved':
    case 'rejected':
      return { ...before, status: 'running' };
    case 'paused':
      return { ...before, status: 'paused', phase: event.phase };
    case 'resumed':
      return { ...before, status: 'running', phase: event.phase };
    case 'session_ended':
      return { ...before, status: event.status, phase: event.status === 'completed' ? 'done' : before.phase };
    default:
      return before;
  }
}

/** Before the first audit entry. */
export const INITIAL_AUDIT_STATE: AuditState = { status: 'pending', phase: 'pm', iteration: 0 };
