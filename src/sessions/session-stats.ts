import type { Client } from '@temporalio/client';
import {
  getStateQuery,
  type SessionState,
  type Phase,
  type RejectTarget,
  type SessionStatus,
} from '../../workflows/definitions';
import { type PendingRetry, pendingRetries } from './pending-retries';
import { type AgeBuckets, indexFigures } from './session-figures';
import { historyFromState } from './session-history';
import { type IndexRefresh, isCompleted, SessionIndex, type SessionIndexOptions } from './session-index';
import { type TokenTotal, TokenTotals } from './token-totals';

export { AGE_BOUNDS_SECONDS } from './session-figures';

/** Namespace-wide session figures, derived from Temporal (never from a process-local count). */
export interface SessionStats {
  /** Sessions Temporal knows of (open, or closed and still within retention). */
  total: number;
  /** Open sessions: the figure `maxActiveSessions` caps. */
  active: number;
  byStatus: Record<SessionStatus, number>;
  /** Review approvals, through the API or by signal. */
  approvals: number;
  /** Review rejections, through the API or by signal. */
  rejections: number;
  /** Approved sessions whose rejections could not be read this time (no worker answered); left out of `rejections`. */
  unresolvedSessions: number;
  /** Per phase, how long the open session longest in it has been there, in seconds (phases with none left out). */
  longestInPhaseSeconds: Partial<Record<Phase, number>>;
  /** Open sessions per phase. */
  openByPhase: Record<Phase, number>;
  /** Sessions waiting for review now for longer than each of {@link AGE_BOUNDS_SECONDS} (0 included). */
  waitingForReview: AgeBuckets;
  /** Rejections by the phase they sent the session back to (sessions started before lean sessions not included). */
  rejectionsByTarget: Record<RejectTarget, number>;
  /**
   * Sessions (open, or closed within retention) that waited for review, over all their decided rounds, longer than
   * each of {@link AGE_BOUNDS_SECONDS}; sessions started before lean sessions not included.
   */
  reviewWaited: AgeBuckets;
  /** Sessions that reached QA (phase qa or done), and those whose QA passed. */
  reachedQa: number;
  qaPassed: number;
  /**
   * Phase runs of sessions that completed or expired since the previous collection (each reported once by this
   * collector), read from the workflow result, so no worker is needed.
   */
  finishedPhaseRuns: { phase: Phase; seconds: number }[];
  /** Model tokens every session spent (open or closed within retention), by phase and model. */
  tokenTotals: TokenTotal[];
  /** Phases being retried now, with their failed attempts so far. */
  pendingRetries: PendingRetry[];
  collectedAt: Date;
  /** What this collection's refresh of the session index did. */
  index: IndexRefresh;
}

const QUERY_TIMEOUT_MS = 2_000;
/** State queries (or results) one collection may read; the rest wait for the next one. */
const MAX_QUERIES_PER_COLLECTION = 25;
/** Sessions that closed longer ago than this are not reported in `finishedPhaseRuns`: the index may lag. */
const CLOSED_LOOKBACK_MS = 10 * 60 * 1000;
/** How often the running sessions are described for their pending retries. */
const RETRIES_REFRESH_MS = 5_000;

/** How a collector reads. */
export interface SessionStatsOptions {
  /** Sessions that closed before it are not reported in `finishedPhaseRuns`. @default now */
  startedAt?: number;
  /** The most rejections a session can have. @default 5 */
  maxIterations?: number;
  /** How the session index refreshes. */
  index?: SessionIndexOptions;
}

/**
 * Derives {@link SessionStats} from Temporal's visibility store through a {@link SessionIndex} of every session's
 * listed search attributes, kept current by listing only what changed since the last collection: so a
 * collection at rest costs one count and a few empty indexed listings at any number of sessions, every replica
 * reports the same namespace-wide truth, and a restart loses nothing (a process's first collection lists every
 * session once). The figures (`session-figures.ts`) keep the meanings the count queries gave them:
 * - approvals: sessions whose phase is engineer, qa or done (only an approval leads there, once);
 * - rejections of a session not approved: its `SessionIterationCount`, one more when it failed in review (the
 *   rejection that exceeded `maxIterations`);
 * - rejections of an approved session: its iterations also count QA retries, so they are read once from its
 *   audit trail and remembered (they cannot change after approval).
 */
export class SessionStatsCollector {
  private readonly rejectionsOfApproved = new Map<string, number>();
  /** Closed sessions whose phase runs were reported, by id, with their close time (pruned past the look-back). */
  private readonly reported = new Map<string, number>();
  private readonly startedAt: number;
  private readonly maxIterations: number;
  private readonly index: SessionIndex;
  private retries: PendingRetry[] = [];
  private retriesReadAt = 0;
  private retriesInFlight = false;
  private readonly tokens = new TokenTotals();
  private tokenTotals: TokenTotal[] = [];
  private tokensInFlight = false;

  constructor(
    private readonly client: () => Promise<Client>,
    options: SessionStatsOptions = {},
  ) {
    this.startedAt = options.startedAt ?? Date.now();
    this.maxIterations = options.maxIterations ?? 5;
    this.index = new SessionIndex(options.index);
  }

  async collect(now = new Date()): Promise<SessionStats> {
    const client = await this.client();
    const refresh = await this.index.refresh(client, now);
    const { rejectionsNotApproved, approvedWithIterations, ...figures } = indexFigures(this.index.values(), now, this.maxIterations);
    const approved = await this.rejectionsApproved(client, approvedWithIterations);
    return {
      ...figures,
      rejections: rejectionsNotApproved + approved.rejections,
      unresolvedSessions: approved.unresolvedSessions,
      ...(await this.newlyFinished(client, now)),
      tokenTotals: this.tokensInBackground(client, now),
      pendingRetries: this.retriesInBackground(client),
      collectedAt: now,
      index: refresh,
    };
  }

  /**
   * The token totals last read, refreshed in the background: a process's first read lists every session (seconds
   * at 10,000), and no collection waits for it; `model_tokens_total` appears once it is done.
   */
  private tokensInBackground(client: Client, now: Date): TokenTotal[] {
    if (!this.tokensInFlight) {
      this.tokensInFlight = true;
      this.tokens
        .collect(client, now)
        .then((totals) => {
          this.tokenTotals = totals;
        })
        .catch(() => undefined)
        .finally(() => {
          this.tokensInFlight = false;
        });
    }
    return this.tokenTotals;
  }

  /**
   * The pending retries last read; a read older than {@link RETRIES_REFRESH_MS} is refreshed in the background, so
   * describing the running sessions never slows a scrape down.
   */
  private retriesInBackground(client: Client): PendingRetry[] {
    if (!this.retriesInFlight && Date.now() - this.retriesReadAt >= RETRIES_REFRESH_MS) {
      this.retriesInFlight = true;
      pendingRetries(client)
        .then((found) => {
          this.retries = found;
        })
        .catch(() => undefined)
        .finally(() => {
          this.retriesReadAt = Date.now();
          this.retriesInFlight = false;
        });
    }
    return this.retries;
  }

  /**
   * Rejections of approved sessions (those with iterations), read once per session from its audit trail and
   * remembered; sessions gone from the index (past retention, deleted) are forgotten.
   */
  private async rejectionsApproved(client: Client, approvedWithIterations: string[]): Promise<{ rejections: number; unresolvedSessions: number }> {
    const current = new Set(approvedWithIterations);
    for (const id of this.rejectionsOfApproved.keys()) if (!current.has(id)) this.rejectionsOfApproved.delete(id);
    let unresolvedSessions = 0;
    let queries = 0;
    for (const id of approvedWithIterations) {
      if (this.rejectionsOfApproved.has(id)) continue;
      if (queries >= MAX_QUERIES_PER_COLLECTION) {
        unresolvedSessions += 1;
        continue;
      }
      queries += 1;
      if ((await this.readRejections(client, id)) === undefined) unresolvedSessions += 1;
    }
    let rejections = 0;
    for (const value of this.rejectionsOfApproved.values()) rejections += value;
    return { rejections, unresolvedSessions };
  }

  private async readRejections(client: Client, sessionId: string): Promise<number | undefined> {
    try {
      const state = await client.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
        client.workflow.getHandle(sessionId).query(getStateQuery),
      );
      const rejections = state.events.filter((event) => event.kind === 'rejected').length;
      this.rejectionsOfApproved.set(sessionId, rejections);
      return rejections;
    } catch {
      return undefined;
    }
  }

  /** Phase runs of the sessions the index shows completed since the previous collection (their workflow results). */
  private async newlyFinished(client: Client, now: Date): Promise<Pick<SessionStats, 'finishedPhaseRuns'>> {
    const since = Math.max(this.startedAt, now.getTime() - CLOSED_LOOKBACK_MS);
    for (const [id, closedAt] of this.reported) if (closedAt < since) this.reported.delete(id);
    const runs: SessionStats['finishedPhaseRuns'] = [];
    let read = 0;
    for (const session of this.index.values()) {
      if (!isCompleted(session) || (session.closedAt ?? 0) <= since || this.reported.has(session.sessionId)) continue;
      if ((read += 1) > MAX_QUERIES_PER_COLLECTION) break;
      try {
        const state = (await client.workflow.getHandle(session.sessionId, session.runId).result()) as SessionState;
        for (const run of historyFromState(state).phases) {
          if (run.endedAt) runs.push({ phase: run.phase, seconds: (Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000 });
        }
      } catch {
        // not a state we can read (an older result shape): skip it next time too
      }
      this.reported.set(session.sessionId, session.closedAt ?? now.getTime());
    }
    return { finishedPhaseRuns: runs };
  }
}
