import type { SessionListJson } from '../../gateway/wire';
import { MAX_MISSION_LENGTH, MAX_PROJECT_NAME_LENGTH, SESSION_STATUSES } from '../../../workflows/vocabulary';
import { ApiError, getJson, postJson, type Session } from './api';
import { age, badge, byId, clearMessages, h, say } from './dom';

const PAGE_SIZE = 25;
const REFRESH_MS = 3000;

/** The list view's state in the URL hash: `#/?status=&project=&cursor=`. */
interface ListQuery {
  status: string;
  project: string;
  cursor: string;
}

let timer: number | undefined;
const previousCursors: string[] = [];

/** Stop refreshing the list (when another view takes over). */
export function stopListView(): void {
  window.clearTimeout(timer);
  timer = undefined;
}

/** Render the sessions list and the start form, and keep the list current by polling while visible. */
export function showListView(params: URLSearchParams): void {
  stopListView();
  const query: ListQuery = { status: params.get('status') ?? '', project: params.get('project') ?? '', cursor: params.get('cursor') ?? '' };
  document.title = 'Sessions · AI Dev Orchestrator';
  const main = byId('main');
  main.replaceChildren(startForm(), filterForm(query), h('section', { 'aria-labelledby': 'sessions-heading' }, h('h2', { id: 'sessions-heading' }, 'Sessions'), h('div', { id: 'session-table' }, h('p', {}, 'Loading…'))));
  const refresh = async (): Promise<void> => {
    if (document.visibilityState === 'visible') await loadPage(query);
    timer = window.setTimeout(() => void refresh(), REFRESH_MS);
  };
  void refresh();
}

function startForm(): HTMLElement {
  const mission = h('textarea', { id: 'mission', name: 'mission', rows: '3', required: '', maxlength: String(MAX_MISSION_LENGTH) });
  const project = h('input', { id: 'project', name: 'project', type: 'text', maxlength: String(MAX_PROJECT_NAME_LENGTH), autocomplete: 'off' });
  const form = h(
    'form',
    { id: 'start-form', class: 'card' },
    h('h2', {}, 'Start a session'),
    h('label', { for: 'mission' }, 'Mission'),
    mission,
    h('label', { for: 'project' }, 'Project (optional)'),
    project,
    h('button', { type: 'submit' }, 'Start session'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { user_mission: mission.value, project_name: project.value.trim() || null };
    postJson<Session>('/sessions', body, { 'Idempotency-Key': crypto.randomUUID() })
      .then((session) => {
        clearMessages();
        location.hash = `#/sessions/${encodeURIComponent(session.session_id)}`;
      })
      .catch((err: unknown) => say(`Could not start the session: ${err instanceof Error ? err.message : String(err)}`, 'error'));
  });
  return form;
}

function filterForm(query: ListQuery): HTMLElement {
  const status = h('select', { id: 'filter-status', name: 'status' }, h('option', { value: '' }, 'any status'), ...SESSION_STATUSES.map((s) => h('option', { value: s }, s.replace('_', ' '))));
  status.value = query.status;
  const project = h('input', { id: 'filter-project', name: 'project', type: 'text', value: query.project, autocomplete: 'off' });
  const form = h(
    'form',
    { id: 'filter-form', class: 'filters', role: 'search' },
    h('label', { for: 'filter-status' }, 'Status'),
    status,
    h('label', { for: 'filter-project' }, 'Project'),
    project,
    h('button', { type: 'submit' }, 'Filter'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    previousCursors.length = 0;
    location.hash = `#/?${new URLSearchParams(withoutEmpty({ status: status.value, project: project.value.trim() })).toString()}`;
  });
  return form;
}

async function loadPage(query: ListQuery): Promise<void> {
  const search = new URLSearchParams(withoutEmpty({ status: query.status, project: query.project, cursor: query.cursor, limit: String(PAGE_SIZE) }));
  try {
    const page = await getJson<SessionListJson>(`/sessions?${search.toString()}`);
    byId('session-table').replaceChildren(table(page.sessions), pager(query, page.next_cursor));
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) say(`Could not list sessions: ${err instanceof Error ? err.message : String(err)}`, 'error');
  }
}

function table(sessions: Session[]): HTMLElement {
  if (sessions.length === 0) return h('p', {}, 'No sessions match.');
  const now = Date.now();
  const rows = sessions.map((s) =>
    h(
      'tr',
      { 'data-session-id': s.session_id, 'data-status': s.status },
      h('td', {}, h('a', { href: `#/sessions/${encodeURIComponent(s.session_id)}` }, truncate(s.user_mission, 90)), h('div', { class: 'muted mono' }, s.session_id)),
      h('td', {}, s.project_name ?? '—'),
      h('td', {}, badge(s.status)),
      h('td', {}, s.current_phase),
      h('td', { class: 'num' }, String(s.iteration_count)),
      h('td', { title: s.created_at }, age(s.created_at, now)),
    ),
  );
  const head = ['Mission', 'Project', 'Status', 'Phase', 'Iteration', 'Age'].map((label) => h('th', { scope: 'col' }, label));
  return h('table', { class: 'sessions' }, h('caption', { class: 'visually-hidden' }, 'Sessions, newest first'), h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...rows));
}

function pager(query: ListQuery, next: string | null): HTMLElement {
  const go = (cursor: string): void => {
    location.hash = `#/?${new URLSearchParams(withoutEmpty({ status: query.status, project: query.project, cursor })).toString()}`;
  };
  const nav = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  if (query.cursor) {
    const back = h('button', { type: 'button' }, 'Previous page');
    back.addEventListener('click', () => go(previousCursors.pop() ?? ''));
    nav.append(back);
  }
  if (next) {
    const forward = h('button', { type: 'button' }, 'Next page');
    forward.addEventListener('click', () => {
      previousCursors.push(query.cursor);
      go(next);
    });
    nav.append(forward);
  }
  return nav;
}

function withoutEmpty(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
