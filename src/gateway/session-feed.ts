/**
 * What a session's event stream is made of, as pure functions and a file reader: event ids that are
 * positions in the two append-only sources (the audit trail and the log file), and the status and phase
 * each audit entry leaves the session in.
 */
import type { Phase, SessionEvent, SessionStatus } from '../../workflows/definitions';
import { openSessionFile } from '../orchestration/session-files';

/**
 * A position in the stream: how many audit entries and how many log bytes were delivered. An event's id is
 * the position after it, so resuming from an id skips exactly what was delivered and nothing else.
 */
export interface FeedCursor {
  audit: number;
  log: number;
}

const EVENT_ID = /^(\d{1,9})-(\d{1,15})$/;

/** `{audit: 3, log: 120}` → `3-120`. */
export function formatEventId(cursor: FeedCursor): string {
  return `${cursor.audit}-${cursor.log}`;
}

/** The cursor an event id names; null when it is not one of ours. */
export function parseEventId(id: string): FeedCursor | null {
  const match = EVENT_ID.exec(id.trim());
  if (!match?.[1] || !match[2]) return null;
  return { audit: Number(match[1]), log: Number(match[2]) };
}

/** Status, phase and iteration of the session right after an audit entry. */
export interface FeedState {
  status: SessionStatus | 'pending';
  phase: Phase;
  iteration: number;
}

/** The state after applying `event` to `before` (what the page shows without asking again). */
export function applyAuditEvent(before: FeedState, event: SessionEvent): FeedState {
  switch (event.kind) {
    case 'phase_started':
      return {
        status: (event.phase === 'review' ? 'awaiting_approval' : 'running') as SessionStatus,
        phase: event.phase,
        iteration: event.iteration,
      };
    case 'approved':
    case 'rejected':
      return { ...before, status: 'running' as SessionStatus };
    case 'session_ended':
      return { ...before, status: event.status, phase: event.status === ('completed' as SessionStatus) ? 'done' : before.phase };
    default:
      return before;
  }
}

/**
 * Whole lines of a session's file from `offset`, at most about `maxBytes`; a partial last line waits for its
 * newline. Nothing is followed out of the work directory (see openSessionFile).
 */
export async function readLogLines(workDir: string, relativePath: string, offset: number, maxBytes = 256 * 1024): Promise<{ lines: string[]; bytes: number[] }> {
  const handle = await openSessionFile(workDir, relativePath);
  if (!handle) return { lines: [], bytes: [] };
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { lines: [], bytes: [] };
    const length = Math.min(maxBytes, size - offset);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    const lines: string[] = [];
    const bytes: number[] = [];
    let start = 0;
    for (let i = 0; i < bytesRead; i += 1) {
      if (buffer[i] !== 0x0a) continue;
      lines.push(buffer.subarray(start, i).toString('utf8'));
      bytes.push(i + 1 - start);
      start = i + 1;
    }
    if (lines.length === 0 && bytesRead === maxBytes) {
      // One line longer than the window: deliver it cut, so the stream never stalls on it.
      lines.push(buffer.subarray(0, bytesRead).toString('utf8'));
      bytes.push(bytesRead);
    }
    return { lines, bytes };
  } finally {
    await handle.close();
  }
}
