import type { Client } from '@temporalio/client';
import {
  getStateQuery,
  type SessionState,
  type Phase,
  PHASES,
  SESSION_WORKFLOW_TYPE,
  SessionStatus,
} from '../../workflows/definitions';
import { type PendingRetry, pendingRetries } from './pending-retries';
import { historyFromState } from './session-history';
import { type SessionInfo, sessionInfoFromExecution } from './session-info';
import { quoteQueryValue } from './session-listing';

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
  /** Per phase, how long the open session longest in it has been there, in seconds. */
  longestInPhaseSeconds: Partial<Record<Phase, number>>;
  /**
   * Phase runs of sessions that completed or expired since the previous collection (each reported once by this
   * collector), read from the workflow result, so no worker is needed.
   */
  finishedPhaseRuns: { phase: Phase; seconds: number }[];
  /** Model tokens the phases of those same sessions spent (reported with them, once). */
  finishedTokenUsage: { phase: Phase; model: string; promptTokens: number; completionTokens: number }[];
  /** Phases being retried now, with their failed attempts so far. */
  pendingRetries: PendingRetry[];
  collectedAt: Date;
}

const TYPE_CLAUSE = `WorkflowType = ${quoteQueryValue(SESSION_WORKFLOW_TYPE)}`;
/** Phases only an approval leads to: a session in one of them passed review exactly once. */
const APPROVED_PHASES: readonly Phase[] = ['engineer', 'qa', 'done'];
const QUERY_TIMEOUT_MS = 2_000;
/** State queries one collection may send; the rest wait for the next one. */
const MAX_QUERIES_PER_COLLECTION = 25;
/** How far back a collection looks for newly closed sessions (visibility may lag behind a close). */
const CLOSED_LOOKBACK_MS = 10 * 60 * 1000;
/** How often the running sessions are described for their pending retries. */
const RETRIES_REFRESH_MS = 5_000;

/**
 * Derives {@link SessionStats} from Temporal's visibility store, so that every replica reports the same
 * namespace-wide truth and a restart loses nothing:
 * - approvals: sessions whose phase is engineer, qa or done (only an approval leads there, once);
 * - rejections: a session not approved has had `iteration_count` rejections, one more when it failed in review
 *   (the rejection that exceeded `maxIterations`). Once approved, a session's iterations also count QA retries,
 *   so its rejections are read once from its audit trail and remembered: they cannot change after approval.
 */
export class SessionStatsCollector {
  private readonly rejectionsOfApproved = new Map<string, number>();
  private retries: PendingRetry[] = [];
  private retriesReadAt = 0;
  private retriesInFlight = false;
  /** Closed sessions whose phase runs were reported, by id, with their close time (pruned past the look-back). */
  private readonly reported = new Map<string, number>();

  /** `startedAt`: sessions that closed before it are not reported in `finishedPhaseRuns`. */
  constructor(
    private readonly client: () => Promise<Client>,
    private readonly startedAt = Date.now(),
  ) {}

  async collect(now = new Date()): Promise<SessionStats> {
    const client = await this.client();
    const count = async (clause?: string): Promise<number> =>
      (await client.workflow.count(clause ? `${TYPE_CLAUSE} AND ${clause}` : TYPE_CLAUSE)).count;
    const statuses = Object.values(SessionStatus);
    const [total, active, approvals, ...perStatus] = await settleAll([
      count(),
      count(`ExecutionStatus = 'Running'`),
      count(`SessionPhase IN (${APPROVED_PHASES.map(quoteQueryValue).join(', ')})`),
      ...statuses.map((status) => count(`SessionStatus = ${quoteQueryValue(status)}`)),
    ]);
    const byStatus = Object.fromEntries(statuses.map((status, i) => [status, perStatus[i] ?? 0])) as Record<SessionStatus, number>;
    const { rejections, unresolvedSessions } = await this.countRejections(client);
    return {
      total: total ?? 0,
      active: active ?? 0,
      byStatus,
      approvals: approvals ?? 0,
      rejections,
      unresolvedSessions,
      longestInPhaseSeconds: await this.longestInPhase(client, now),
      ...(await this.newlyFinished(client, now)),
      pendingRetries: this.retriesInBackground(client),
      collectedAt: now,
    };
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

  private async countRejections(client: Client): Promise<{ rejections: number; unresolvedSessions: number }> {
    const query = `${TYPE_CLAUSE} AND (SessionIterationCount > 0 OR (SessionStatus = 'failed' AND SessionPhase = 'review'))`;
    let rejections = 0;
    let unresolvedSessions = 0;
    let queries = 0;
    const listed = new Set<string>();
    for await (const execution of client.workflow.list({ query })) {
      const session = sessionInfoFromExecution(execution);
      listed.add(session.sessionId);
      if (!APPROVED_PHASES.includes(session.currentPhase)) {
        rejections += session.iterationCount + (failedInReview(session) ? 1 : 0);
        continue;
      }
      let known = this.rejectionsOfApproved.get(session.sessionId);
      if (known === undefined && queries < MAX_QUERIES_PER_COLLECTION) {
        queries += 1;
        known = await this.readRejections(client, session.sessionId);
      }
      if (known === undefined) unresolvedSessions += 1;
      else rejections += known;
    }
    for (const id of this.rejectionsOfApproved.keys()) if (!listed.has(id)) this.rejectionsOfApproved.delete(id);
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
  ): Promise<Pick<SessionStats, 'finishedPhaseRuns' | 'finishedTokenUsage'>> {
    const since = Math.max(this.startedAt, now.getTime() - CLOSED_LOOKBACK_MS);
    for (const [id, closedAt] of this.reported) if (closedAt < since) this.reported.delete(id);
    const query =
      `${TYPE_CLAUSE} AND ExecutionStatus = 'Completed' AND ` + `CloseTime > ${quoteQueryValue(new Date(since).toISOString())}`;
    const runs: SessionStats['finishedPhaseRuns'] = [];
    const usage: SessionStats['finishedTokenUsage'] = [];
    let read = 0;
    for await (const execution of client.workflow.list({ query })) {
      if (this.reported.has(execution.workflowId) || read >= MAX_QUERIES_PER_COLLECTION) continue;
      read += 1;
      try {
        const state = (await client.workflow.getHandle(execution.workflowId, execution.runId).result()) as SessionState;
        for (const run of historyFromState(state).phases) {
          if (run.endedAt) runs.push({ phase: run.phase, seconds: (Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000 });
        }
        for (const event of state.events) {
          if (event.kind !== 'phase_completed' || !event.usage) continue;
          const { model, promptTokens, completionTokens } = event.usage;
          usage.push({ phase: event.phase, model, promptTokens, completionTokens });
        }
        this.reported.set(execution.workflowId, execution.closeTime?.getTime() ?? now.getTime());
      } catch {
        // not a state we can read (an older result shape): skip it next time too
        this.reported.set(execution.workflowId, execution.closeTime?.getTime() ?? now.getTime());
      }
    }
    return { finishedPhaseRuns: runs, finishedTokenUsage: usage };
  }

  private async longestInPhase(client: Client, now: Date): Promise<Partial<Record<Phase, number>>> {
    const longest: Partial<Record<Phase, number>> = {};
    for await (const execution of client.workflow.list({ query: `${TYPE_CLAUSE} AND ExecutionStatus = 'Running'` })) {
      const session = sessionInfoFromExecution(execution);
      const seconds = Math.max(0, (now.getTime() - session.updatedAt.getTime()) / 1000);
      if (PHASES.includes(session.currentPhase) && seconds > (longest[session.currentPhase] ?? -1)) {
        longest[session.currentPhase] = seconds;
      }
    }
    return longest;
  }
}

function failedInReview(session: SessionInfo): boolean {
  return session.status === SessionStatus.FAILED && session.currentPhase === 'review';
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
