/** Event ids of a session's stream: positions in its two append-only sources (the audit trail and the log file). */
import type { WatchCursor } from '../sessions/session-watch';

/**
 * A position in the stream: how many audit entries and how many log bytes were delivered. An event's id is
 * the position after it, so resuming from an id skips exactly what was delivered and nothing else.
 */
export type FeedCursor = WatchCursor;

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
