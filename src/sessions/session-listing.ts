import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { ACTIVE_STATUSES, SESSION_WORKFLOW_TYPE, type SessionStatus } from '../../workflows/definitions';
import { ValidationError } from '../orchestration/errors';
import { type SessionInfo, sessionInfoFromListed } from './session-info';

/** Filters and paging of a session listing. */
export interface ListSessionsOptions {
  status?: SessionStatus;
  project?: string;
  /** @default 100 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** One page of sessions, newest first. */
export interface SessionPage {
  sessions: SessionInfo[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

interface Cursor {
  /** createdAt of the last session on the previous page, in ms. */
  t: number;
  id: string;
}

/** Temporal list-filter string literal. */
export function quoteQueryValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The visibility clause every query of sessions starts with. */
export const SESSION_TYPE_CLAUSE = `WorkflowType = ${quoteQueryValue(SESSION_WORKFLOW_TYPE)}`;

/**
 * A cursor is a position, `<createdAt in ms>.<session id>` of the last session on the previous page: every value
 * of this form is one (so an API document can say exactly which cursors are accepted). 13 digits reach the year
 * 2286, within what Temporal's list filter reads as a time.
 */
export const SESSION_CURSOR_PATTERN = /^(\d{1,13})\.(sess_[A-Za-z0-9_-]{1,64})$/;

function encodeCursor(session: SessionInfo): string {
  return `${session.createdAt.getTime()}.${session.sessionId}`;
}

function decodeCursor(raw: string): Cursor {
  const match = SESSION_CURSOR_PATTERN.exec(raw);
  if (!match?.[1] || !match[2]) throw new ValidationError('cursor is not one this service issues: <createdAt ms>.<session id>');
  return { t: Number(match[1]), id: match[2] };
}

/** Newest first; ties on the start time broken by id, so paging is stable. */
function newerFirst(a: SessionInfo, b: SessionInfo): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.sessionId < b.sessionId ? 1 : a.sessionId > b.sessionId ? -1 : 0);
}

/** Insert `session` into `kept` (sorted newest first), keeping at most `capacity` entries. */
function keepNewest(kept: SessionInfo[], session: SessionInfo, capacity: number): void {
  let low = 0;
  let high = kept.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (newerFirst(kept[middle] as SessionInfo, session) <= 0) low = middle + 1;
    else high = middle;
  }
  if (low >= capacity) return;
  kept.splice(low, 0, session);
  if (kept.length > capacity) kept.pop();
}

function isAfterCursor(session: SessionInfo, cursor: Cursor): boolean {
  const t = session.createdAt.getTime();
  return t < cursor.t || (t === cursor.t && session.sessionId < cursor.id);
}

/** One listed session, and when its execution closed (null while open). */
type Take = (session: SessionInfo, closedAt: number | null) => boolean;

/** Reads `query` in pages of `pageSize`, calling `take` on each session until it returns false. */
async function scan(client: Client, query: string, pageSize: number, take: Take): Promise<void> {
  const converter = client.options.loadedDataConverter.payloadConverter;
  let nextPageToken: Uint8Array | null | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query, pageSize, nextPageToken });
    for (const raw of page.executions) {
      const closedAt = optionalTsToMs(raw.closeTime) ?? null;
      if (!take(sessionInfoFromListed(raw, converter), closedAt)) return;
    }
    nextPageToken = page.nextPageToken;
  } while (nextPageToken && nextPageToken.length > 0);
}

/**
 * Lists sessions newest first, reading about as many executions as the page needs however many sessions there
 * are. SQL visibility stores cannot `ORDER BY`, but they return open executions newest-started first, then closed
 * ones by close time, newest first. So the open executions are one query read only as far as the page needs
 * (and ties on its last start time); the closed ones another, read until one closed before the oldest session
 * kept so far started (nothing after it can be newer). Where a store breaks either order, that query is simply
 * read to the end, so the page is right on any store and fast on the ones that keep the order.
 */
export async function listSessionPage(client: Client, options: ListSessionsOptions = {}): Promise<SessionPage> {
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ValidationError('limit must be an integer from 1 to 1000');
  }
  const cursor = options.cursor ? decodeCursor(options.cursor) : null;
  const clauses = [SESSION_TYPE_CLAUSE];
  if (options.status) clauses.push(`SessionStatus = ${quoteQueryValue(options.status)}`);
  if (options.project) clauses.push(`SessionProject = ${quoteQueryValue(options.project)}`);
  if (cursor) clauses.push(`StartTime < ${quoteQueryValue(new Date(cursor.t + 1).toISOString())}`);
  const want = limit + 1;
  const kept: SessionInfo[] = [];
  const consider = (session: SessionInfo): void => {
    if (!cursor || isAfterCursor(session, cursor)) keepNewest(kept, session, want);
  };

  let previousStart = Infinity;
  let ordered = true;
  await scan(client, [...clauses, `ExecutionStatus = 'Running'`].join(' AND '), want + 1, (session) => {
    const started = session.createdAt.getTime();
    if (started > previousStart) ordered = false;
    previousStart = started;
    consider(session);
    const oldestKept = kept[limit];
    return !(ordered && oldestKept && started < oldestKept.createdAt.getTime());
  });

  // A session whose status is an open one is in a closed execution only when Temporal ended it (shown as failed).
  const openOnly = options.status !== undefined && ACTIVE_STATUSES.includes(options.status);
  if (!openOnly) {
    const oldestOpen = kept[limit];
    const closedClauses = [...clauses, `ExecutionStatus != 'Running'`];
    if (oldestOpen) closedClauses.push(`StartTime >= ${quoteQueryValue(oldestOpen.createdAt.toISOString())}`);
    let lastCloseTime = Infinity;
    ordered = true;
    await scan(client, closedClauses.join(' AND '), want + 1, (session, closedAt) => {
      consider(session);
      const closed = closedAt ?? Infinity;
      if (closed > lastCloseTime) ordered = false;
      lastCloseTime = closed;
      const oldestKept = kept[limit];
      return !(ordered && oldestKept && closed < oldestKept.createdAt.getTime());
    });
  }
  const sessions = kept.slice(0, limit);
  const last = sessions.at(-1);
  return { sessions, nextCursor: kept.length > limit && last ? encodeCursor(last) : null };
}
