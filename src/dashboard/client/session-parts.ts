import DOMPurify from 'dompurify';
import { diffLines } from 'diff';
import { marked } from 'marked';
import type { HistoryJson } from '../../gateway/wire';
import { duration, h } from './dom';
import { type Commit, commitsOfRuns, diffExpander } from './phase-diff';

/** GET /sessions/{id}/artifacts/{name}/revisions. */
export interface Revisions {
  name: string;
  revisions: { revision: number; current: boolean; path: string; text: string }[];
}

/** Untrusted Markdown as sanitised HTML inside a container: no scripts, no handlers, no foreign frames. */
export function markdown(text: string): HTMLElement {
  const container = h('div', { class: 'markdown' });
  const html = marked.parse(text, { async: false, gfm: true });
  container.innerHTML = DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'button'] });
  for (const link of container.querySelectorAll('a')) link.setAttribute('rel', 'noopener noreferrer nofollow');
  return container;
}

/** A line diff of two texts, lines added and removed marked (as text, never HTML). */
export function lineDiff(before: string, after: string): HTMLElement {
  const pre = h('pre', { class: 'diff', 'aria-label': 'Changes, + added and − removed lines' });
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    const prefix = part.added ? '+ ' : part.removed ? '− ' : '  ';
    const tag = part.added ? 'ins' : part.removed ? 'del' : 'span';
    pre.append(h(tag, {}, lines.map((line) => `${prefix}${line}`).join('\n') + '\n'));
  }
  return pre;
}

/**
 * The phases as an ordered list with durations; the open one says so. A finished agent phase with its commit in
 * `commits` gets a "diff" expander (fetched from `base`/diff when opened).
 */
export function timeline(history: HistoryJson, now = Date.now(), git: { base: string; commits: Commit[] } | null = null): HTMLElement {
  if (history.phases.length === 0) return h('p', { class: 'muted' }, 'No phase has started yet.');
  const commits = git ? commitsOfRuns(history.phases, git.commits) : [];
  return h(
    'ol',
    { class: 'timeline' },
    ...history.phases.map((run, i) => {
      const commit = commits[i];
      const end = run.ended_at ? Date.parse(run.ended_at) : now;
      const took = duration(end - Date.parse(run.started_at));
      return h(
        'li',
        { class: run.ended_at ? 'done' : 'open', 'data-phase': run.phase },
        h('span', { class: 'phase-name' }, run.phase),
        h('span', { class: 'muted' }, ` iteration ${run.iteration} · `),
        h('time', { datetime: run.started_at }, new Date(run.started_at).toLocaleTimeString()),
        h('span', {}, run.ended_at ? ` · ${took}` : ` · ${took} so far`),
        git && commit ? diffExpander(git.base, commit) : null,
      );
    }),
  );
}

/** Every decision with who, when, how and the feedback. */
export function decisions(history: HistoryJson): HTMLElement {
  if (history.decisions.length === 0) return h('p', { class: 'muted' }, 'No decision yet.');
  return h(
    'ol',
    { class: 'decisions' },
    ...history.decisions.map((d) =>
      h(
        'li',
        { class: `decision ${d.decision}` },
        h('strong', {}, d.decision === 'approve' ? 'Approved' : `Rejected to ${d.reject_to ?? 'architect'}`),
        d.review_round ? ` round ${d.review_round}` : '',
        ` by ${d.by ?? 'unknown'} (${d.via}) at `,
        h('time', { datetime: d.at }, new Date(d.at).toLocaleString()),
        d.documents
          ? h('div', { class: 'muted mono documents' },
              Object.entries(d.documents).map(([name, sha]) => `${name} ${sha ? sha.slice(0, 12) : '—'}`).join(' · '))
          : null,
        d.feedback ? h('blockquote', { class: 'feedback' }, d.feedback) : null,
      ),
    ),
  );
}

/** One document: its current revision rendered, and the diff against the previous revision when there is one. */
export function documentSection(title: string, id: string, revisions: Revisions | null): HTMLElement {
  const section = h('section', { class: 'card document', id: `doc-${id}`, 'aria-labelledby': `doc-${id}-heading` }, h('h2', { id: `doc-${id}-heading` }, title));
  const current = revisions?.revisions.at(-1);
  if (!revisions || !current) {
    section.append(h('p', { class: 'muted' }, 'Not written yet.'));
    return section;
  }
  const previous = revisions.revisions.at(-2);
  section.append(h('p', { class: 'muted' }, `Revision ${current.revision} · ${current.path}`));
  if (previous) {
    const details = h('details', { class: 'changes', open: '' }, h('summary', {}, `Changes since revision ${previous.revision}`), lineDiff(previous.text, current.text));
    section.append(details);
  }
  section.append(markdown(current.text));
  return section;
}
