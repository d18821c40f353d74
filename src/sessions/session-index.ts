import type { Client } from '@temporalio/client';
import { optionalTsToMs, requiredTsToDate } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { type Phase, SearchAttributeKeys, type SessionStatus } from '../../workflows/definitions';
import { sessionInfoFromListed } from './session-info';
import { quoteQueryValue, SESSION_TYPE_CLAUSE } from './session-listing';

const Code = temporal.api.enums.v1.WorkflowExecutionStatus;

/** What the session figures need of one session: its newest run as visibility lists it. */
export interface IndexedSession {
  sessionId: string;
  runId: string;
  /** Temporal's execution status (open while `RUNNING`). */
  execution: temporal.api.enums.v1.WorkflowExecutionStatus;
  startedAt: number;
  /** When the execution closed, in ms; null while open. */
  closedAt: number | null;
  /** The session's status as a SessionInfo shows it (an execution Temporal ended shows as failed). */
  status: SessionStatus;
  /** `SessionStatus` as the workflow last upserted it (null when absent). */
  recordedStatus: string | null;
  phase: Phase;
  iterationCount: number;
  qaPassed: boolean;
  /** `SessionUpdatedAt` (never before the start), in ms. */
  updatedAt: number;
  reviewMarks: readonly string[];
  /** `SessionReviewWaitSeconds`; null on sessions started before lean sessions. */
  reviewWaitSeconds: number | null;
}

/** What one refresh did. */
export interface IndexRefresh {
  /** A full listing (`first`, `periodic`, `drift`) or only what changed (`changes`). */
  kind: 'first' | 'periodic' | 'drift' | 'changes';
  /** Executions visibility returned. */
  listed: number;
  /** Of those, the ones that changed the index (new, or any indexed field different). */
  changed: number;
  /** Whether the cross-check found the index disagreeing with Temporal's count (a full listing is then due). */
  drift: boolean;
}

/** How a {@link SessionIndex} refreshes. */
export interface SessionIndexOptions {
  /** How far before the previous refresh's start a refresh lists changes: visibility lags. @default 30000 */
  lookbackMs?: number;
  /** A full listing at least this often, whatever the cross-check says. @default 600000 */
  resyncMs?: number;
  /** A disagreeing cross-check lists everything again at most this often. @default 60000 */
  minDriftResyncMs?: number;
}

/** Visibility's names of the closed statuses: one query each uses the status index (`!= 'Running'` scans). */
const CLOSED_STATUSES = ['Completed', 'Failed', 'Canceled', 'Terminated', 'TimedOut', 'ContinuedAsNew'] as const;
/** Visibility serves at most this many executions a page. */
const PAGE_SIZE = 1000;
/**
 * Each page of a full listing has this deadline of its own: the whole listing may outlast the deadline of the
 * collection that started it (seconds at 10,000 sessions) and then serves the next collection, which joins it.
 */
const FULL_PAGE_TIMEOUT_MS = 10_000;

/**
 * Every session's listed search attributes, kept current by listing only what changed: the first refresh (and
 * one every `resyncMs`, and one when the cross-check disagrees) lists every session; later ones list the
 * sessions whose `SessionUpdatedAt` (every upsert sets it, the client sets it at the start) or close time is at
 * most `lookbackMs` before the previous refresh's start, each clause as its own indexed query (an `OR` of them
 * scans every row on SQL visibility). Deletions (retention, `temporal workflow delete`) show in no listing, so
 * each refresh first counts the sessions: a count the index cannot explain is a drift, and lists them all again.
 */
export class SessionIndex {
  private sessions = new Map<string, IndexedSession>();
  /** Older runs of indexed session ids that visibility still holds: they are in Temporal's count. */
  private olderRuns = 0;
  private listedAt: number | null = null;
  private fullAt = 0;
  private driftSeen = false;
  /** The refresh under way: a caller that gave up on it (its deadline) leaves it running for the next one. */
  private inFlight: Promise<IndexRefresh> | null = null;
  /** A periodic or drift resync of an index that has served figures: it runs beside the refreshes, which go on. */
  private resyncing: Promise<unknown> | null = null;
  private readonly lookbackMs: number;
  private readonly resyncMs: number;
  private readonly minDriftResyncMs: number;

  constructor(options: SessionIndexOptions = {}) {
    this.lookbackMs = options.lookbackMs ?? 30_000;
    this.resyncMs = options.resyncMs ?? 10 * 60_000;
    this.minDriftResyncMs = options.minDriftResyncMs ?? 60_000;
  }

  /** Whether a first full listing has completed. */
  get ready(): boolean {
    return this.listedAt !== null;
  }

  /** The indexed sessions (one per session id). */
  values(): IterableIterator<IndexedSession> {
    return this.sessions.values();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Bring the index up to date with Temporal's visibility as of `now` (or join the refresh under way). */
  refresh(client: Client, now = new Date()): Promise<IndexRefresh> {
    this.inFlight ??= this.refreshNow(client, now).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async refreshNow(client: Client, now: Date): Promise<IndexRefresh> {
    const startedAt = now.getTime();
    const full = this.fullListingDue(startedAt);
    if (full === 'first') return this.resync(client, startedAt, full);
    // Seconds at 10,000 sessions: a collection must not wait for it (nor take its length for Temporal being down).
    if (full && !this.resyncing) {
      this.resyncing = this.resync(client, startedAt, full)
        .catch(() => undefined)
        .finally(() => {
          this.resyncing = null;
        });
    }
    const since = (this.listedAt ?? startedAt) - this.lookbackMs;
    // Counted before listing: a session the count saw is then in the listing (unless it drifted).
    const counted = (await client.workflow.count(SESSION_TYPE_CLAUSE)).count;
    const { listed, changed } = await this.listChanges(client, since);
    this.listedAt = startedAt;
    const drift = this.disagrees(counted, startedAt);
    this.driftSeen = this.driftSeen || drift;
    return { kind: 'changes', listed, changed, drift };
  }

  private fullListingDue(startedAt: number): IndexRefresh['kind'] | null {
    if (this.listedAt === null) return 'first';
    if (startedAt - this.fullAt >= this.resyncMs) return 'periodic';
    if (this.driftSeen && startedAt - this.fullAt >= this.minDriftResyncMs) return 'drift';
    return null;
  }

  /**
   * Whether `counted` (Temporal's count, taken before this refresh listed) cannot be the index's sessions: it may
   * miss the ones started within the look-back (not visible yet when counted), never more.
   */
  private disagrees(counted: number, startedAt: number): boolean {
    const indexed = this.sessions.size + this.olderRuns;
    let recent = 0;
    for (const session of this.sessions.values()) if (session.startedAt >= startedAt - this.lookbackMs) recent += 1;
    return counted > indexed || counted < indexed - recent;
  }

  /** List every session into a new index, then what changed while it was listed. */
  private async resync(client: Client, startedAt: number, kind: IndexRefresh['kind']): Promise<IndexRefresh> {
    const previous = this.sessions;
    const fresh = new Map<string, IndexedSession>();
    let listed = 0;
    await listAll(client, SESSION_TYPE_CLAUSE, FULL_PAGE_TIMEOUT_MS, (session) => {
      listed += 1;
      keepNewest(fresh, session);
    });
    let changed = 0;
    for (const session of fresh.values()) if (!sameSession(previous.get(session.sessionId), session)) changed += 1;
    changed += [...previous.keys()].filter((id) => !fresh.has(id)).length;
    this.sessions = fresh;
    this.olderRuns = listed - fresh.size;
    // A session that closed while the listing ran may have moved to a page already read.
    const late = await this.listChanges(client, startedAt - this.lookbackMs, FULL_PAGE_TIMEOUT_MS);
    this.listedAt = startedAt;
    this.fullAt = startedAt;
    this.driftSeen = false;
    return { kind, listed: listed + late.listed, changed: changed + late.changed, drift: false };
  }

  private async listChanges(client: Client, since: number, pageTimeoutMs: number | null = null): Promise<{ listed: number; changed: number }> {
    const at = quoteQueryValue(new Date(since).toISOString());
    const queries = [
      `${SESSION_TYPE_CLAUSE} AND SessionUpdatedAt >= ${at}`,
      ...CLOSED_STATUSES.map((status) => `${SESSION_TYPE_CLAUSE} AND ExecutionStatus = '${status}' AND CloseTime >= ${at}`),
    ];
    let listed = 0;
    let changed = 0;
    await Promise.all(
      queries.map((query) =>
        listAll(client, query, pageTimeoutMs, (session) => {
          listed += 1;
          const before = this.sessions.get(session.sessionId);
          if (before && before.runId !== session.runId && session.startedAt >= before.startedAt) this.olderRuns += 1;
          if (keepNewest(this.sessions, session) && !sameSession(before, session)) changed += 1;
        }),
      ),
    );
    return { listed, changed };
  }
}

/** Put `session` into `into` unless a newer run of it is there; whether it was put. */
function keepNewest(into: Map<string, IndexedSession>, session: IndexedSession): boolean {
  const known = into.get(session.sessionId);
  if (known && known.runId !== session.runId && known.startedAt > session.startedAt) return false;
  // Two listings of one refresh may read a run before and after it closed: closed is the later state.
  if (known && known.runId === session.runId && known.closedAt !== null && session.closedAt === null) return false;
  into.set(session.sessionId, session);
  return true;
}

function sameSession(a: IndexedSession | undefined, b: IndexedSession): boolean {
  if (!a) return false;
  return (
    a.runId === b.runId &&
    a.execution === b.execution &&
    a.closedAt === b.closedAt &&
    a.status === b.status &&
    a.recordedStatus === b.recordedStatus &&
    a.phase === b.phase &&
    a.iterationCount === b.iterationCount &&
    a.qaPassed === b.qaPassed &&
    a.updatedAt === b.updatedAt &&
    a.reviewWaitSeconds === b.reviewWaitSeconds &&
    a.reviewMarks.join('\n') === b.reviewMarks.join('\n')
  );
}

/**
 * Reads every page of `query`, each under `pageTimeoutMs` of its own when given (else the caller's deadline),
 * decoding only the search attributes (no memo).
 */
async function listAll(client: Client, query: string, pageTimeoutMs: number | null, take: (session: IndexedSession) => void): Promise<void> {
  const converter = client.options.loadedDataConverter.payloadConverter;
  const { namespace } = client.options;
  let nextPageToken: Uint8Array | null | undefined;
  do {
    const read = () => client.workflowService.listWorkflowExecutions({ namespace, query, pageSize: PAGE_SIZE, nextPageToken });
    const page = await (pageTimeoutMs === null ? read() : client.connection.withDeadline(Date.now() + pageTimeoutMs, read));
    for (const raw of page.executions) take(indexedFromListed(raw, converter));
    nextPageToken = page.nextPageToken;
  } while (nextPageToken && nextPageToken.length > 0);
}

type PayloadConverter = Client['options']['loadedDataConverter']['payloadConverter'];

/** A listed execution as the index keeps it; status, phase and times as {@link sessionInfoFromListed} derives them. */
function indexedFromListed(raw: temporal.api.workflow.v1.IWorkflowExecutionInfo, converter: PayloadConverter): IndexedSession {
  const info = sessionInfoFromListed({ ...raw, memo: null }, converter);
  const fields = raw.searchAttributes?.indexedFields ?? {};
  const attribute = (name: string): unknown => {
    const payload = fields[name];
    return payload ? converter.fromPayload(payload) : undefined;
  };
  const recorded = attribute(SearchAttributeKeys.status.name);
  const marks = attribute(SearchAttributeKeys.reviewMarks.name);
  const waited = attribute(SearchAttributeKeys.reviewWaitSeconds.name);
  return {
    sessionId: info.sessionId,
    runId: raw.execution?.runId ?? '',
    execution: raw.status ?? Code.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED,
    startedAt: requiredTsToDate(raw.startTime, 'startTime').getTime(),
    closedAt: optionalTsToMs(raw.closeTime) ?? null,
    status: info.status,
    recordedStatus: typeof recorded === 'string' ? recorded : null,
    phase: info.currentPhase,
    iterationCount: info.iterationCount,
    qaPassed: info.qaPassed,
    updatedAt: info.updatedAt.getTime(),
    reviewMarks: Array.isArray(marks) ? marks.filter((mark): mark is string => typeof mark === 'string') : [],
    reviewWaitSeconds: typeof waited === 'number' ? waited : null,
  };
}

/** Whether the indexed session's execution is open. */
export function isOpen(session: IndexedSession): boolean {
  return session.execution === Code.WORKFLOW_EXECUTION_STATUS_RUNNING;
}

/** Whether the indexed session's execution completed (its result is its final state). */
export function isCompleted(session: IndexedSession): boolean {
  return session.execution === Code.WORKFLOW_EXECUTION_STATUS_COMPLETED;
}
