import type { SessionState } from './definitions';

/**
 * One value per review decision, for counting decisions over every session with a search attribute (Temporal's
 * count API has no sum): `approved`, or `rejected:<target>:<k>` for the k-th rejection to that target, so
 * rejections to pm are Σₖ count(`SessionReviewMarks = 'rejected:pm:k'`).
 */
export function reviewMarks(state: SessionState): string[] {
  const marks: string[] = [];
  const rejections: Record<string, number> = {};
  for (const event of state.events) {
    if (event.kind === 'approved') marks.push('approved');
    if (event.kind === 'rejected') {
      rejections[event.rejectTo] = (rejections[event.rejectTo] ?? 0) + 1;
      marks.push(`rejected:${event.rejectTo}:${rejections[event.rejectTo]}`);
    }
  }
  return marks;
}

/**
 * Seconds the session has waited for review, over all its closed rounds: from each review's start to its
 * decision, or to the session's end when it ended in review (expired, cancelled). A round still open counts
 * once it closes.
 */
export function reviewWaitSeconds(state: SessionState): number {
  let waitedMs = 0;
  let openedAt: number | null = null;
  for (const event of state.events) {
    if (event.kind === 'phase_started' && event.phase === 'review') openedAt = Date.parse(event.at);
    else if (openedAt !== null && (event.kind === 'approved' || event.kind === 'rejected' || event.kind === 'session_ended')) {
      waitedMs += Date.parse(event.at) - openedAt;
      openedAt = null;
    }
  }
  return waitedMs / 1000;
}
