/** Small DOM helpers: every text goes in as text, never as HTML. */

type Child = Node | string | null | undefined | false;

/** An element with attributes and children; strings become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) element.setAttribute(name, value);
  for (const child of children) if (child) element.append(child);
  return element;
}

/** The element with this id (throws when the page lacks it). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} missing`);
  return element as T;
}

/** "3 min", "2 h", "4 d" since `iso`. */
export function age(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/** A duration in ms as "850 ms", "12.3 s", "4 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return minutes < 60 ? `${minutes} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A status badge (colour by status, the word always shown). */
export function badge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}` }, status.replace('_', ' '));
}

/** Show a message in the page's live region; kind error is announced assertively. */
export function say(message: string, kind: 'info' | 'error' = 'info'): void {
  const region = byId('messages');
  region.replaceChildren(h('p', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message));
}

/** Clear the live region. */
export function clearMessages(): void {
  byId('messages').replaceChildren();
}
