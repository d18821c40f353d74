/** The dashboard's entry: the token prompt and a hash router between the list and a session. */
import { type DashboardConfig, getToken, loadConfig, setToken, setUnauthorizedHandler } from './api';
import { byId, clearMessages, h, say } from './dom';
import { showListView, stopListView } from './list-view';
import { showSessionView, stopSessionView } from './session-view';

let config: DashboardConfig;

function route(): void {
  stopListView();
  stopSessionView();
  clearMessages();
  if (config.auth_required && !getToken()) {
    askForToken();
    return;
  }
  const hash = location.hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = hash.split('?');
  const session = /^\/sessions\/([^/]+)$/.exec(pathPart);
  if (session?.[1]) showSessionView(decodeURIComponent(session[1]), config);
  else showListView(new URLSearchParams(queryPart));
  byId('main').focus({ preventScroll: true });
}

function askForToken(message?: string): void {
  stopListView();
  stopSessionView();
  const input = h('input', { id: 'api-token', type: 'password', required: '', autocomplete: 'current-password', minlength: '16' });
  const form = h(
    'form',
    { id: 'token-form', class: 'card' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'This gateway needs its API token. It is kept in this browser and sent only as a header to this gateway.'),
    h('label', { for: 'api-token' }, 'API token'),
    input,
    h('button', { type: 'submit' }, 'Continue'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    route();
  });
  byId('main').replaceChildren(form);
  if (message) say(message, 'error');
  input.focus();
}

function setUpSignOut(): void {
  const button = byId<HTMLButtonElement>('sign-out');
  button.hidden = !config.auth_required;
  button.addEventListener('click', () => {
    setToken(null);
    route();
  });
}

async function start(): Promise<void> {
  config = await loadConfig();
  setUnauthorizedHandler(() => {
    setToken(null);
    askForToken('The token was not accepted. Enter it again.');
  });
  setUpSignOut();
  window.addEventListener('hashchange', route);
  route();
}

start().catch((err: unknown) => say(`The dashboard could not start: ${err instanceof Error ? err.message : String(err)}`, 'error'));
