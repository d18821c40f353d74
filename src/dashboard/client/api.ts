/** The gateway's API as the dashboard calls it: the token, JSON requests and errors with their code. */

const TOKEN_KEY = 'orchestrator.apiToken';

/** What GET /dashboard/config.json says. */
export interface DashboardConfig {
  auth_required: boolean;
  temporal_ui_url: string;
  namespace: string;
}

/** A session as the API returns it. */
export type { SessionJson as Session } from '../../gateway/wire';
import type { SessionJson } from '../../gateway/wire';

/** An error answer of the API: its status, code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole error body (stale_review carries the current `session`). */
    readonly body: { session?: SessionJson } = {},
  ) {
    super(message);
  }
}

/** The stored API token, if any. */
export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

/** Remember (or, with null, forget) the API token. */
export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Called when the API answers 401: the page asks for the token again. */
export let onUnauthorized: () => void = () => undefined;

/** Set what happens on a 401. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const token = getToken();
  const all: Record<string, string> = { ...headers };
  if (token) all.authorization = `Bearer ${token}`;
  if (body !== undefined) all['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.ok) return response;
  let code = 'http_error';
  let message = `${response.status} ${response.statusText}`;
  let parsed: { error?: { code?: string; message?: string }; session?: SessionJson } = {};
  try {
    parsed = (await response.json()) as typeof parsed;
    code = parsed.error?.code ?? code;
    message = parsed.error?.message ?? message;
  } catch {
    // not JSON: keep the status line
  }
  if (response.status === 401) onUnauthorized();
  throw new ApiError(response.status, code, message, parsed);
}

/** GET a JSON resource. */
export async function getJson<T>(path: string): Promise<T> {
  return (await (await request('GET', path)).json()) as T;
}

/** GET a text resource; null on 404. */
export async function getText(path: string): Promise<string | null> {
  try {
    return await (await request('GET', path)).text();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** POST JSON and read the JSON answer. */
export async function postJson<T>(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<T> {
  return (await (await request('POST', path, body, headers)).json()) as T;
}

/** The dashboard's own settings (open, no token needed). */
export async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch('/dashboard/config.json');
  return (await response.json()) as DashboardConfig;
}
