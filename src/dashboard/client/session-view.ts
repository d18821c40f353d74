import type { HistoryJson } from '../../gateway/wire';
import { DEFAULT_REJECT_TARGET, type DocumentName, FINAL_STATUSES, REJECT_TARGETS } from '../../../workflows/vocabulary';
import { ApiError, type DashboardConfig, getJson, postJson, type Session } from './api';
import { age, badge, byId, h, say } from './dom';
import { LiveSession } from './live';
import type { Commit } from './phase-diff';
import { decisions, documentSection, type Revisions, timeline } from './session-parts';

const LOG_LINES_KEPT = 500;
const DOCUMENTS: [DocumentName, string][] = [
  ['prd', 'Product requirements (PRD)'],
  ['tech_spec', 'Technical specification'],
  ['bug_report', 'QA bug report'],
];

let live: LiveSession | null = null;

/** Leave the session view: close its stream. */
export function stopSessionView(): void {
  live?.stop();
  live = null;
}

/** Render one session and follow its event stream. */
export function showSessionView(id: string, config: DashboardConfig): void {
  stopSessionView();
  const base = `/sessions/${encodeURIComponent(id)}`;
  const link = `${config.temporal_ui_url.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(id)}`;
  byId('main').replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← All sessions')),
    h('section', { id: 'summary', class: 'card', 'aria-live': 'polite' }, h('p', {}, 'Loading…')),
    h('section', { id: 'actions', 'aria-label': 'Decisions' }),
    h('div', { class: 'columns' },
      h('section', { class: 'card', 'aria-labelledby': 'timeline-heading' }, h('h2', { id: 'timeline-heading' }, 'Phases'), h('div', { id: 'timeline' })),
      h('section', { class: 'card', 'aria-labelledby': 'decisions-heading' }, h('h2', { id: 'decisions-heading' }, 'Decisions'), h('div', { id: 'decisions' })),
    ),
    h('div', { id: 'documents' }),
    h('section', { class: 'card', 'aria-labelledby': 'log-heading' },
      h('h2', { id: 'log-heading' }, 'Log ', h('span', { id: 'live-state', class: 'muted' }, '')),
      h('pre', { id: 'log', class: 'log', tabindex: '0', 'aria-label': 'Session log, newest last' })),
    h('p', {}, h('a', { href: link, target: '_blank', rel: 'noopener noreferrer', id: 'temporal-link' }, 'Open the workflow in the Temporal Web UI')),
  );

  let session: Session | null = null;
  const details = new SessionDetails(base);
  const refreshDetails = (): void => details.refresh('history');
  const render = (next: Session): void => {
    const changed =
      !session ||
      session.status !== next.status ||
      session.current_phase !== next.current_phase ||
      session.review_round !== next.review_round ||
      session.token_budget !== next.token_budget;
    session = next;
    renderSummary(next, link);
    if (changed) renderActions(next, base, refreshDetails, render);
  };

  getJson<Session>(base)
    .then((first) => {
      render(first);
      details.refresh('all');
      live = new LiveSession(id, {
        session: (data) => render(data),
        audit: (data) => {
          if (session) render({ ...session, status: data.status, current_phase: data.phase, iteration_count: data.iteration });
          // A new review opens a new round: read it, so the decision buttons answer the round on screen.
          if (data.status === 'awaiting_approval') void getJson<Session>(base).then(render).catch(() => undefined);
          details.refresh('history');
        },
        artifact: ({ name }) => details.refresh(name),
        log: ({ line }) => appendLog(line),
        notice: ({ message }) => say(message),
        connected: (up) => {
          byId('live-state').textContent = up ? '(live)' : '(reconnecting…)';
        },
      });
      return live.start();
    })
    .catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 404) byId('summary').replaceChildren(h('p', {}, `No session ${id}.`));
      else if (!(err instanceof ApiError && err.status === 401)) say(`Could not load the session: ${describe(err)}`, 'error');
    });
}

function renderSummary(s: Session, link: string): void {
  const summary = byId('summary');
  summary.dataset.status = s.status;
  summary.dataset.phase = s.current_phase;
  summary.dataset.shownAt = String(Date.now());
  document.title = `${s.status} · ${s.user_mission.slice(0, 60)}`;
  summary.replaceChildren(
    h('h1', { id: 'mission' }, s.user_mission),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Status'), h('dd', { id: 'session-status', 'data-status': s.status }, badge(s.status)),
      h('dt', {}, 'Phase'), h('dd', { id: 'session-phase' }, s.current_phase),
      h('dt', {}, 'Iteration'), h('dd', {}, String(s.iteration_count)),
      h('dt', {}, 'Review round'), h('dd', { id: 'review-round' }, s.review_round === null ? '—' : String(s.review_round)),
      ...(s.status === 'awaiting_approval' ? [h('dt', {}, 'Waiting for review'), h('dd', { id: 'review-waited', title: s.updated_at }, age(s.updated_at))] : []),
      h('dt', {}, 'Tokens'), h('dd', { id: 'session-tokens' }, tokensText(s)),
      h('dt', {}, 'Project'), h('dd', {}, s.project_name ?? '—'),
      h('dt', {}, 'Started'), h('dd', { title: s.created_at }, `${age(s.created_at)} ago`),
      h('dt', {}, 'Session'), h('dd', { class: 'mono' }, h('a', { href: link, target: '_blank', rel: 'noopener noreferrer' }, s.session_id)),
    ),
    ...(s.pause_reason === 'budget'
      ? [h('div', { id: 'paused-notice', class: 'notice', role: 'status' }, h('strong', {}, 'Paused: '), `the token budget is spent (${s.tokens_used ?? 0} of ${s.token_budget ?? 0} tokens). Add tokens below to resume where it stopped, or cancel it.`)]
      : []),
    ...(s.last_error ? [lastErrorNotice(s.last_error)] : []),
  );
}

/** `1234 of 5000 · cost 0.01`, `1234 (no budget)`, or — for sessions started before token accounting. */
function tokensText(s: Session): string {
  if (s.tokens_used === null || s.tokens_used === undefined) return '—';
  return `${s.tokens_used}${s.token_budget === null ? ' (no budget)' : ` of ${s.token_budget}`}${s.cost === null ? '' : ` · cost ${s.cost}`}`;
}

/** The retrying phase's last failure: what, which attempt, and when the next one is. */
function lastErrorNotice(error: NonNullable<Session['last_error']>): HTMLElement {
  const next = error.next_attempt_at ? `next attempt in ${age(new Date().toISOString(), Date.parse(error.next_attempt_at))}` : 'an attempt is running';
  return h('div', { id: 'last-error', class: 'notice error', role: 'status' },
    h('strong', {}, `${error.phase} is retrying`), ` (attempt ${error.attempt} failed${error.reason ? `, ${error.reason}` : ''}; ${next}): `,
    h('span', { class: 'mono' }, error.message));
}

function renderActions(s: Session, base: string, refresh: () => void, render: (s: Session) => void): void {
  const actions = byId('actions');
  actions.replaceChildren();
  const decide = (path: string, body: unknown, what: string): void => {
    postJson<Session>(`${base}/${path}`, body, { 'Idempotency-Key': crypto.randomUUID() })
      .then((after) => {
        say(`${what}: the session is now ${after.status} in ${after.current_phase}.`);
        render(after);
        refresh();
      })
      .catch((err: unknown) => {
        const current = err instanceof ApiError && err.code === 'stale_review' ? err.body.session : undefined;
        if (current) {
          say(
            current.status === 'awaiting_approval'
              ? `This review was replaced by round ${current.review_round ?? '?'}: nothing was decided. The page now shows round ${current.review_round ?? '?'}; read it before deciding.`
              : `Refused (409): the session is not awaiting approval any more (${current.status} in ${current.current_phase}); nothing was decided. The page shows its current state.`,
            'error',
          );
          render(current);
          refresh();
        } else if (err instanceof ApiError && err.status === 409) {
          say(`Refused (409): ${err.message}. Someone else may have decided first, or the session moved on; the page shows its current state.`, 'error');
          void getJson<Session>(base).then(render);
        } else {
          say(`${what} failed: ${describe(err)}`, 'error');
        }
      });
  };
  if (s.status === 'awaiting_approval') {
    const by = h('input', { id: 'decided-by', type: 'text', autocomplete: 'name', value: localStorage.getItem('orchestrator.by') ?? '' });
    const feedback = h('textarea', { id: 'feedback', rows: '3', required: '' });
    const targets = [DEFAULT_REJECT_TARGET, ...REJECT_TARGETS.filter((phase) => phase !== DEFAULT_REJECT_TARGET)];
    const target = h('select', { id: 'reject-to' }, ...targets.map((phase) => h('option', { value: phase }, phase)));
    const approve = h('button', { type: 'button', id: 'approve' }, 'Approve');
    const who = (): string | undefined => {
      localStorage.setItem('orchestrator.by', by.value.trim());
      return by.value.trim() || undefined;
    };
    const round = s.review_round === null ? {} : { review_round: s.review_round };
    approve.addEventListener('click', () => decide('approve', { by: who(), ...round }, 'Approved'));
    const reject = h('form', { id: 'reject-form', class: 'reject' },
      h('label', { for: 'feedback' }, 'Feedback for the rejection'), feedback,
      h('label', { for: 'reject-to' }, 'Send back to'), target,
      h('button', { type: 'submit', id: 'reject' }, 'Reject'));
    reject.addEventListener('submit', (event) => {
      event.preventDefault();
      decide('reject', { feedback: feedback.value, reject_to: target.value, by: who(), ...round }, 'Rejected');
    });
    actions.append(h('div', { class: 'card review', 'data-review-round': String(s.review_round ?? '') }, h('h2', {}, s.review_round === null ? 'Review' : `Review, round ${s.review_round}`),
      h('label', { for: 'decided-by' }, 'Your name (recorded with the decision)'), by, approve, reject));
  }
  if (!FINAL_STATUSES.includes(s.status) && s.token_budget !== null && s.token_budget !== undefined) {
    const amount = h('input', { id: 'add-tokens', type: 'number', min: '1', step: '1', value: String(s.token_budget) });
    const extend = h('form', { id: 'budget-form', class: 'budget' },
      h('label', { for: 'add-tokens' }, 'Tokens to add to the budget'), amount,
      h('button', { type: 'submit', id: 'extend-budget' }, s.status === 'paused' ? 'Add tokens and resume' : 'Add tokens'));
    extend.addEventListener('submit', (event) => {
      event.preventDefault();
      decide('budget', { add_tokens: Number(amount.value) }, 'Budget extended');
    });
    actions.append(h('div', { class: 'card' }, h('h2', {}, s.status === 'paused' ? 'Paused at its token budget' : 'Token budget'), extend));
  }
  if (!FINAL_STATUSES.includes(s.status)) {
    const cancel = h('button', { type: 'button', id: 'cancel', class: 'danger' }, 'Cancel session');
    cancel.addEventListener('click', () => decide('cancel', {}, 'Cancelled'));
    actions.append(h('p', {}, cancel));
  }
}

/**
 * The timeline, decisions and documents of the session view, each fetched only when the stream says it changed:
 * the audit trail after an audit entry, one document's revisions after that document was revised.
 */
class SessionDetails {
  private readonly pending = new Set<string>();
  private timer: number | undefined;
  private readonly docs = new Map<string, Revisions | null>();

  constructor(private readonly base: string) {}

  /** Fetch `what` soon ('history', a document name, or 'all'); requests close together are fetched once. */
  refresh(what: string): void {
    if (what === 'all') {
      this.pending.add('history');
      for (const [name] of DOCUMENTS) this.pending.add(name);
    } else {
      this.pending.add(what);
    }
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.load(), 100);
  }

  private async load(): Promise<void> {
    const wanted = [...this.pending];
    this.pending.clear();
    try {
      const asked = DOCUMENTS.map(([name]) => name).filter((name) => wanted.includes(name));
      // Which documents exist (one cheap request): a document not produced yet is not asked for (no 404 noise).
      const paths = asked.length > 0 ? await getJson<Record<string, string | null>>(`${this.base}/artifacts`) : {};
      const names = asked.filter((name) => paths[name]);
      for (const name of asked) if (!paths[name]) this.docs.set(name, null);
      const [history, docs, commits] = await Promise.all([
        wanted.includes('history') ? optional(getJson<HistoryJson>(`${this.base}/history`), 503) : Promise.resolve(null),
        Promise.all(names.map((name) => optional(getJson<Revisions>(`${this.base}/artifacts/${name}/revisions`), 404))),
        wanted.includes('history') ? optional(getJson<{ commits: Commit[] }>(`${this.base}/commits`), 404) : Promise.resolve(null),
      ]);
      if (history) {
        byId('timeline').replaceChildren(timeline(history, Date.now(), commits ? { base: this.base, commits: commits.commits } : null));
        byId('decisions').replaceChildren(decisions(history));
      }
      names.forEach((name, i) => this.docs.set(name, docs[i] ?? null));
      if (asked.length > 0) {
        byId('documents').replaceChildren(
          ...DOCUMENTS.map(([name, title]) => documentSection(title, name, this.docs.get(name) ?? null)).filter((_section, i) => i < 2 || this.docs.get(DOCUMENTS[i]?.[0] ?? '')),
        );
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) say(`Could not load the details: ${describe(err)}`, 'error');
    }
  }
}

/** The answer, or null when the API answers `status` (not there yet, or no worker). */
async function optional<T>(request: Promise<T>, status: number): Promise<T | null> {
  try {
    return await request;
  } catch (err) {
    if (err instanceof ApiError && err.status === status) return null;
    throw err;
  }
}

function appendLog(line: string): void {
  const log = byId('log');
  const stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  log.append(`${line}\n`);
  while (log.childNodes.length > LOG_LINES_KEPT) log.firstChild?.remove();
  if (stick) log.scrollTop = log.scrollHeight;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

