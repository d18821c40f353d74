import type { Client } from '@temporalio/client';
import {
  getStateQuery,
  type SessionState,
  type Phase,
  PHASES,
  REJECT_TARGETS,
  type RejectTarget,
  SESSION_WORKFLOW_TYPE,
  SessionStatus,
} from '../../workflows/definitions';
import { type PendingRetry, pendingRetries } from './pending-retries';
import { historyFromState } from './session-history';
import { sessionInfoFromExecution } from './session-info';
import { quoteQueryValue } from './session-listing';
import { type TokenTotal, TokenTotals } from './token-totals';

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
  /**
   * Per phase, how long the open session longest in it has been there, in seconds: exact while a phase holds at
   * most {@link EXACT_PHASE_LIMIT} open sessions; beyond, review reports the largest of {@link AGE_BOUNDS_SECONDS}
   * some session exceeds (a lower bound) and other phases the longest among the newest-started hundred.
   */
  longestInPhaseSeconds: Partial<Record<Phase, number>>;
  /** Open sessions per phase. */
  openByPhase: Record<Phase, number>;
  /** Sessions waiting for review now for longer than each of {@link AGE_BOUNDS_SECONDS} (0 included). */
  waitingForReview: { overSeconds: number; sessions: number }[];
  /** Rejections by the phase they sent the session back to (sessions started before lean sessions not included). */
  rejectionsByTarget: Record<RejectTarget, number>;
  /**
   * Sessions (open, or closed within retention) that waited for review, over all their decided rounds, longer than
   * each of {@link AGE_BOUNDS_SECONDS}; sessions started before lean sessions not included.
   */
  reviewWaited: { overSeconds: number; sessions: number }[];
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
}

const TYPE_CLAUSE = `WorkflowType = ${quoteQueryValue(SESSION_WORKFLOW_TYPE)}`;
const RUNNING_CLAUSE = `ExecutionStatus = 'Running'`;
/** Phases only an approval leads to: a session in one of them passed review exactly once. */
const APPROVED_PHASES: readonly Phase[] = ['engineer', 'qa', 'done'];
const APPROVED_LIST = APPROVED_PHASES.map(quoteQueryValue).join(', ');
const APPROVED_CLAUSE = `SessionPhase IN (${APPROVED_LIST})`;
const QUERY_TIMEOUT_MS = 2_000;
/** State queries one collection may send; the rest wait for the next one. */
const MAX_QUERIES_PER_COLLECTION = 25;
/** How far back a collection looks for newly closed (or newly approved) sessions: visibility may lag. */
const CLOSED_LOOKBACK_MS = 10 * 60 * 1000;
/** How often the running sessions are described for their pending retries. */
const RETRIES_REFRESH_MS = 5_000;
/** Up to this many open sessions in a phase, the longest time in it is read exactly (a listing of those only). */
export const EXACT_PHASE_LIMIT = 100;
/** Ages counted for the review funnel, and the lower bounds of the longest time in a crowded phase. */
export const AGE_BOUNDS_SECONDS = [0, 60, 15 * 60, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600] as const;

/** How a collector reads. */
export interface SessionStatsOptions {
  /** Sessions that closed before it are not reported in `finishedPhaseRuns`. @default now */
  startedAt?: number;
  /** The most rejections a session can have, bounding the per-count queries. @default 5 */
  maxIterations?: number;
}

/**
 * Derives {@link SessionStats} from Temporal's visibility store with count queries (one per status value or
 * small integer), so a collection costs about the same at 10 sessions as at 10,000, every replica reports the
 * same namespace-wide truth, and a restart loses nothing:
 * - approvals: sessions whose phase is engineer, qa or done (only an approval leads there, once);
 * - rejections of a session not approved: its `SessionIterationCount` (Σₖ count(iterations ≥ k)), one more when it
 *   failed in review (the rejection that exceeded `maxIterations`);
 * - rejections of an approved session: its iterations also count QA retries, so they are read once from its
 *   audit trail and remembered (they cannot change after approval); a count tells when one is new.
 */
export class SessionStatsCollector {
  private readonly rejectionsOfApproved = new Map<string, number>();
  /** Closed sessions whose phase runs were reported, by id, with their close time (pruned past the look-back). */
  private readonly reported = new Map<string, number>();
  private readonly startedAt: number;
  private readonly maxIterations: number;
  /** When the approved sessions with rejections were last listed completely; null: list them all next time. */
  private approvedListedAt: number | null = null;
  private retries: PendingRetry[] = [];
  private retriesReadAt = 0;
  private retriesInFlight = false;
  private readonly tokens = new TokenTotals(TYPE_CLAUSE);
  private tokenTotals: TokenTotal[] = [];
  private tokensInFlight = false;

  constructor(
    private readonly client: () => Promise<Client>,
    options: SessionStatsOptions = {},
  ) {
    this.startedAt = options.startedAt ?? Date.now();
    this.maxIterations = options.maxIterations ?? 5;
  }

  async collect(now = new Date()): Promise<SessionStats> {
    const client = await this.client();
    const count = async (...clauses: string[]): Promise<number> => (await client.workflow.count([TYPE_CLAUSE, ...clauses].join(' AND '))).count;
    const statuses = Object.values(SessionStatus);
    const ago = (seconds: number): string => `SessionUpdatedAt <= ${quoteQueryValue(new Date(now.getTime() - seconds * 1000).toISOString())}`;
    const reviewing = `SessionStatus = ${quoteQueryValue(SessionStatus.AWAITING_APPROVAL)}`;
    // A count's cost is the rows it matches, so each figure is counted once: open sessions in review are the
    // sessions awaiting approval, and the review funnel's 0 s bucket is them all.
    const otherPhases = PHASES.filter((phase) => phase !== 'review');
    const byExecutionStatus = async (): Promise<[number, number]> => {
      const { count: all, groups } = await client.workflow.count(`${TYPE_CLAUSE} GROUP BY ExecutionStatus`);
      const running = groups.find((group) => group.groupValues.some((value) => String(value) === 'Running'));
      return [all, running?.count ?? 0];
    };
    // One scan for the total and the open ones.
    const grouped = byExecutionStatus();
    const [total, active, approvals, reachedQa, qaPassed, ...rest] = await settleAll([
      grouped.then(([all]) => all),
      grouped.then(([, running]) => running),
      count(APPROVED_CLAUSE),
      count(`SessionPhase IN ('qa', 'done')`),
      count(`SessionQaPassed = true`),
      ...statuses.map((status) => count(`SessionStatus = ${quoteQueryValue(status)}`)),
      ...otherPhases.map((phase) => count(RUNNING_CLAUSE, `SessionPhase = ${quoteQueryValue(phase)}`)),
    ]);
    const perStatus = rest.slice(0, statuses.length);
    const perPhase = rest.slice(statuses.length);
    const byStatus = Object.fromEntries(statuses.map((status, i) => [status, perStatus[i] ?? 0])) as Record<SessionStatus, number>;
    const openByPhase = Object.fromEntries(otherPhases.map((phase, i) => [phase, perPhase[i] ?? 0])) as Record<Phase, number>;
    openByPhase.review = byStatus[SessionStatus.AWAITING_APPROVAL];
    const [waitingForReview, reviewWaited, rejectionsByTarget, notApproved, approved] = await Promise.all([
      funnel(openByPhase.review, (seconds) => count(RUNNING_CLAUSE, reviewing, ago(seconds))),
      funnel(null, (seconds) => count(`SessionReviewWaitSeconds > ${seconds}`)),
      this.rejectionsByTarget(count),
      this.rejectionsNotApproved(count),
      this.rejectionsApproved(client, count, now),
    ]);
    return {
      total: total ?? 0,
      active: active ?? 0,
      byStatus,
      approvals: approvals ?? 0,
      rejections: notApproved + approved.rejections,
      unresolvedSessions: approved.unresolvedSessions,
      longestInPhaseSeconds: await this.longestInPhase(client, openByPhase, waitingForReview, now),
      openByPhase,
      waitingForReview,
      rejectionsByTarget,
      reviewWaited,
      reachedQa: reachedQa ?? 0,
      qaPassed: qaPassed ?? 0,
      ...(await this.newlyFinished(client, now)),
      tokenTotals: this.tokensInBackground(client, now),
      pendingRetries: this.retriesInBackground(client),
      collectedAt: now,
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

  /** Per target, Σₖ count(`SessionReviewMarks = 'rejected:<target>:k'`), stopping at the first 0. */
  private async rejectionsByTarget(count: (...clauses: string[]) => Promise<number>): Promise<Record<RejectTarget, number>> {
    const totals = await Promise.all(
      REJECT_TARGETS.map(async (target) => {
        let total = 0;
        for (let k = 1; k <= this.maxIterations + 1; k += 1) {
          const sessions = await count(`SessionReviewMarks = ${quoteQueryValue(`rejected:${target}:${k}`)}`);
          if (sessions === 0) break;
          total += sessions;
        }
        return [target, total] as const;
      }),
    );
    return Object.fromEntries(totals) as Record<RejectTarget, number>;
  }

  /** Σₖ count(iterations ≥ k) over sessions not approved, plus those that failed in review. */
  private async rejectionsNotApproved(count: (...clauses: string[]) => Promise<number>): Promise<number> {
    let total = await count(`SessionStatus = 'failed'`, `SessionPhase = 'review'`);
    for (let k = 1; k <= this.maxIterations + 1; k += 1) {
      const sessions = await count(`SessionPhase NOT IN (${APPROVED_LIST})`, `SessionIterationCount >= ${k}`);
      if (sessions === 0) break;
      total += sessions;
    }
    return total;
  }

  /**
   * Rejections of approved sessions, read once per session from its audit trail. A count of approved sessions
   * with iterations says whether any is new (then only those updated since the last listing are listed) or
   * gone past retention (then all are listed again, and the gone ones forgotten).
   */
  private async rejectionsApproved(
    client: Client,
    count: (...clauses: string[]) => Promise<number>,
    now: Date,
  ): Promise<{ rejections: number; unresolvedSessions: number }> {
    const clauses = [TYPE_CLAUSE, APPROVED_CLAUSE, `SessionIterationCount > 0`];
    const expected = await count(...clauses.slice(1));
    const known = (): number => this.rejectionsOfApproved.size;
    let unresolvedSessions = 0;
    if (expected !== known()) {
      const full = this.approvedListedAt === null || expected < known();
      const query = full
        ? clauses.join(' AND ')
        : [...clauses, `SessionUpdatedAt >= ${quoteQueryValue(new Date((this.approvedListedAt ?? 0) - CLOSED_LOOKBACK_MS).toISOString())}`].join(' AND ');
      const listed = new Set<string>();
      let queries = 0;
      for await (const execution of client.workflow.list({ query })) {
        listed.add(execution.workflowId);
        if (this.rejectionsOfApproved.has(execution.workflowId)) continue;
        if (queries >= MAX_QUERIES_PER_COLLECTION) {
          unresolvedSessions += 1;
          continue;
        }
        queries += 1;
        if ((await this.readRejections(client, execution.workflowId)) === undefined) unresolvedSessions += 1;
      }
      if (full) for (const id of this.rejectionsOfApproved.keys()) if (!listed.has(id)) this.rejectionsOfApproved.delete(id);
      // A listing that left sessions unresolved (or missed some) is repeated in full next time.
      this.approvedListedAt = unresolvedSessions === 0 && known() === expected ? now.getTime() : null;
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

  private async newlyFinished(
    client: Client,
    now: Date,
  ): Promise<Pick<SessionStats, 'finishedPhaseRuns'>> {
    const since = Math.max(this.startedAt, now.getTime() - CLOSED_LOOKBACK_MS);
    for (const [id, closedAt] of this.reported) if (closedAt < since) this.reported.delete(id);
    const query =
      `${TYPE_CLAUSE} AND ExecutionStatus = 'Completed' AND ` + `CloseTime > ${quoteQueryValue(new Date(since).toISOString())}`;
    const runs: SessionStats['finishedPhaseRuns'] = [];
    let read = 0;
    for await (const execution of client.workflow.list({ query })) {
      if (this.reported.has(execution.workflowId) || read >= MAX_QUERIES_PER_COLLECTION) continue;
      read += 1;
      try {
        const state = (await client.workflow.getHandle(execution.workflowId, execution.runId).result()) as SessionState;
        for (const run of historyFromState(state).phases) {
          if (run.endedAt) runs.push({ phase: run.phase, seconds: (Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000 });
        }
        this.reported.set(execution.workflowId, execution.closeTime?.getTime() ?? now.getTime());
      } catch {
        // not a state we can read (an older result shape): skip it next time too
        this.reported.set(execution.workflowId, execution.closeTime?.getTime() ?? now.getTime());
      }
    }
    return { finishedPhaseRuns: runs };
  }

  private async longestInPhase(
    client: Client,
    openByPhase: Record<Phase, number>,
    waitingForReview: SessionStats['waitingForReview'],
    now: Date,
  ): Promise<Partial<Record<Phase, number>>> {
    const longest: Partial<Record<Phase, number>> = {};
    for (const phase of PHASES) {
      const open = openByPhase[phase];
      if (open === 0) continue;
      if (open > EXACT_PHASE_LIMIT && phase === 'review') {
        longest[phase] = Math.max(...waitingForReview.filter((bucket) => bucket.sessions > 0).map((bucket) => bucket.overSeconds), 0);
        continue;
      }
      const query = `${TYPE_CLAUSE} AND ${RUNNING_CLAUSE} AND SessionPhase = ${quoteQueryValue(phase)}`;
      let read = 0;
      for await (const execution of client.workflow.list({ query, pageSize: EXACT_PHASE_LIMIT })) {
        const session = sessionInfoFromExecution(execution);
        longest[phase] = Math.max(longest[phase] ?? 0, (now.getTime() - session.updatedAt.getTime()) / 1000);
        if ((read += 1) >= EXACT_PHASE_LIMIT) break;
      }
    }
    return longest;
  }
}

/**
 * Sessions over each of {@link AGE_BOUNDS_SECONDS}, counted from the largest bound down: the counts only grow
 * towards 0 s, so once one reaches `all` (when known) every smaller bound has it too and is not counted.
 */
async function funnel(all: number | null, over: (seconds: number) => Promise<number>): Promise<{ overSeconds: number; sessions: number }[]> {
  const sessions = new Map<number, number>();
  for (const seconds of [...AGE_BOUNDS_SECONDS].reverse()) {
    const found = all !== null && seconds === 0 ? all : await over(seconds);
    sessions.set(seconds, found);
    if (all !== null && found >= all) {
      for (const smaller of AGE_BOUNDS_SECONDS) if (smaller < seconds) sessions.set(smaller, all);
      break;
    }
  }
  return AGE_BOUNDS_SECONDS.map((overSeconds) => ({ overSeconds, sessions: sessions.get(overSeconds) ?? 0 }));
}

/**
 * Like Promise.all, but waits for every call to settle before failing: a sibling call still being retried by
 * the client must not outlive the collection (and the connection it runs on).
 */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}
