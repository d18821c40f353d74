import type { Client } from '@temporalio/client';
import {
  getStateQuery,
  type Phase,
  PHASES,
  SESSION_WORKFLOW_TYPE,
  SessionStatus,
} from '../../workflows/definitions';
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
  collectedAt: Date;
}

const TYPE_CLAUSE = `WorkflowType = ${quoteQueryValue(SESSION_WORKFLOW_TYPE)}`;
/** Phases only an approval leads to: a session in one of them passed review exactly once. */
const APPROVED_PHASES: readonly Phase[] = ['engineer', 'qa', 'done'];
const QUERY_TIMEOUT_MS = 2_000;
/** State queries one collection may send; the rest wait for the next one. */
const MAX_QUERIES_PER_COLLECTION = 25;

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

  constructor(private readonly client: () => Promise<Client>) {}

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
      collectedAt: now,
    };
  }

  private async countRejections(client: Client): Promise<{ rejections: number; unresolvedSessions: number }> {
    const query = `${TYPE_CLAUSE} AND (SessionIterationCount > 0 OR (SessionStatus = 'failed' AND SessionPhase = 'review'))`;
    let rejections = 0;
    let unresolvedSessions = 0;
    let queries = 0;
    for await (const execution of client.workflow.list({ query })) {
      const session = sessionInfoFromExecution(execution);
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
