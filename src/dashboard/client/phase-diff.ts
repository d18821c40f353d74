/** Each phase run's change in the session's git history: a "diff" expander per run, fetched when opened. */
import { getText } from './api';
import { h } from './dom';

/** A commit as GET /sessions/{id}/commits returns it (the parts the page uses). */
export interface Commit {
  sha: string;
  phase: string | null;
  iteration: number | null;
  review_round: number | null;
  tags: string[];
}

/** A phase run of the history (the parts matched against commits). */
interface PhaseRun {
  phase: string;
  iteration: number;
  review_round?: number | null;
  ended_at: string | null;
}

/**
 * The commit of each phase run, in order: the n-th finished run of a phase, iteration and round is the n-th commit
 * with the same trailers (a session older than its history has no commit for its first runs: those get none).
 */
export function commitsOfRuns(runs: readonly PhaseRun[], commits: readonly Commit[]): (Commit | null)[] {
  const key = (phase: string, iteration: number | null, round: number | null | undefined): string => `${phase}/${iteration}/${round ?? '?'}`;
  const byKey = new Map<string, Commit[]>();
  for (const commit of commits) {
    if (!commit.phase) continue;
    const k = key(commit.phase, commit.iteration, commit.review_round);
    byKey.set(k, [...(byKey.get(k) ?? []), commit]);
  }
  const seen = new Map<string, number>();
  return runs.map((run) => {
    if (!run.ended_at || run.phase === 'review' || run.phase === 'done') return null;
    const k = key(run.phase, run.iteration, run.review_round);
    const list = byKey.get(k) ?? [];
    const index = seen.get(k) ?? 0;
    seen.set(k, index + 1);
    // Runs without a commit come first (history begun mid-session): count from the end.
    const offset = Math.max(0, runs.filter((r) => r.ended_at && key(r.phase, r.iteration, r.review_round) === k).length - list.length);
    return list[index - offset] ?? null;
  });
}

/** A closed "diff" expander that loads what `commit` changed (as text, never HTML) the first time it opens. */
export function diffExpander(base: string, commit: Commit): HTMLElement {
  const pre = h('pre', { class: 'diff', 'aria-label': `Changes of commit ${commit.sha.slice(0, 12)}` }, 'Loading…');
  const details = h(
    'details',
    { class: 'phase-diff', 'data-commit': commit.sha },
    h('summary', {}, `diff ${commit.sha.slice(0, 7)}${commit.tags.length > 0 ? ` · ${commit.tags.join(', ')}` : ''}`),
    pre,
  );
  let loaded = false;
  details.addEventListener('toggle', () => {
    if (!details.open || loaded) return;
    loaded = true;
    getText(`${base}/diff?to=${encodeURIComponent(commit.sha)}`).then(
      (text) => {
        pre.replaceChildren();
        for (const line of (text ?? '').split('\n')) {
          const tag = line.startsWith('+') && !line.startsWith('+++') ? 'ins' : line.startsWith('-') && !line.startsWith('---') ? 'del' : 'span';
          pre.append(h(tag, {}, `${line}\n`));
        }
        if (!text) pre.textContent = 'No changes.';
      },
      (err: unknown) => {
        loaded = false;
        pre.textContent = `Could not load the diff: ${err instanceof Error ? err.message : String(err)}`;
      },
    );
  });
  return details;
}
