import { type Phase, PHASES, REJECT_TARGETS, type RejectTarget, SessionStatus } from '../../workflows/definitions';
import { type IndexedSession, isOpen } from './session-index';

/** Phases only an approval leads to: a session in one of them passed review exactly once. */
export const APPROVED_PHASES: readonly Phase[] = ['engineer', 'qa', 'done'];
/** Ages counted for the review funnels. */
export const AGE_BOUNDS_SECONDS = [0, 60, 15 * 60, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600] as const;

/** Sessions over each of {@link AGE_BOUNDS_SECONDS}. */
export type AgeBuckets = { overSeconds: number; sessions: number }[];

/** The session figures that one pass over the index gives (see SessionStats for each one's meaning). */
export interface IndexFigures {
  total: number;
  active: number;
  byStatus: Record<SessionStatus, number>;
  approvals: number;
  /** Rejections of the sessions not approved (approved ones' are read from their audit trail). */
  rejectionsNotApproved: number;
  openByPhase: Record<Phase, number>;
  longestInPhaseSeconds: Partial<Record<Phase, number>>;
  waitingForReview: AgeBuckets;
  reviewWaited: AgeBuckets;
  rejectionsByTarget: Record<RejectTarget, number>;
  reachedQa: number;
  qaPassed: number;
  /** Approved sessions with iterations: their rejections are in their audit trail. */
  approvedWithIterations: string[];
}

/**
 * The figures over every indexed session, with the meanings the count queries had: approvals are sessions in an
 * approved phase; rejections of a session not approved are its iterations (at most `maxIterations + 1`), one more
 * when it failed in review; rejections by target are its `rejected:<target>:<k>` marks; the funnels count
 * sessions waiting in review now for at least each bound and sessions whose time waited exceeds it.
 */
export function indexFigures(sessions: Iterable<IndexedSession>, now: Date, maxIterations: number): IndexFigures {
  const byStatus = Object.fromEntries(Object.values(SessionStatus).map((status) => [status, 0])) as Record<SessionStatus, number>;
  const openByPhase = Object.fromEntries(PHASES.map((phase) => [phase, 0])) as Record<Phase, number>;
  const rejectionsByTarget = Object.fromEntries(REJECT_TARGETS.map((target) => [target, 0])) as Record<RejectTarget, number>;
  const longestInPhaseSeconds: Partial<Record<Phase, number>> = {};
  const waiting = AGE_BOUNDS_SECONDS.map(() => 0);
  const waited = AGE_BOUNDS_SECONDS.map(() => 0);
  const approvedWithIterations: string[] = [];
  let total = 0;
  let active = 0;
  let approvals = 0;
  let rejectionsNotApproved = 0;
  let reachedQa = 0;
  let qaPassed = 0;
  for (const session of sessions) {
    total += 1;
    byStatus[session.status] += 1;
    const approved = APPROVED_PHASES.includes(session.phase);
    if (approved) approvals += 1;
    if (approved && session.iterationCount > 0) approvedWithIterations.push(session.sessionId);
    if (!approved) rejectionsNotApproved += Math.min(session.iterationCount, maxIterations + 1);
    if (!approved && session.recordedStatus === SessionStatus.FAILED && session.phase === 'review') rejectionsNotApproved += 1;
    if (session.phase === 'qa' || session.phase === 'done') reachedQa += 1;
    if (session.qaPassed) qaPassed += 1;
    for (const mark of session.reviewMarks) {
      const [kind, target, k] = mark.split(':');
      if (kind === 'rejected' && (REJECT_TARGETS as readonly string[]).includes(target ?? '') && Number(k) >= 1 && Number(k) <= maxIterations + 1) {
        rejectionsByTarget[target as RejectTarget] += 1;
      }
    }
    if (session.reviewWaitSeconds !== null) {
      AGE_BOUNDS_SECONDS.forEach((bound, i) => {
        if ((session.reviewWaitSeconds ?? 0) > bound) waited[i] = (waited[i] ?? 0) + 1;
      });
    }
    if (!isOpen(session)) continue;
    active += 1;
    openByPhase[session.phase] += 1;
    const age = (now.getTime() - session.updatedAt) / 1000;
    longestInPhaseSeconds[session.phase] = Math.max(longestInPhaseSeconds[session.phase] ?? 0, age);
    if (session.status === SessionStatus.AWAITING_APPROVAL) {
      AGE_BOUNDS_SECONDS.forEach((bound, i) => {
        if (bound === 0 || age >= bound) waiting[i] = (waiting[i] ?? 0) + 1;
      });
    }
  }
  const buckets = (counts: number[]): AgeBuckets => AGE_BOUNDS_SECONDS.map((overSeconds, i) => ({ overSeconds, sessions: counts[i] ?? 0 }));
  return {
    total,
    active,
    byStatus,
    approvals,
    rejectionsNotApproved,
    openByPhase,
    longestInPhaseSeconds,
    waitingForReview: buckets(waiting),
    reviewWaited: buckets(waited),
    rejectionsByTarget,
    reachedQa,
    qaPassed,
    approvedWithIterations,
  };
}
