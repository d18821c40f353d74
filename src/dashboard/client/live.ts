import type { Phase, SessionStatus } from '../../../workflows/vocabulary';
import { getToken, postJson, type Session } from './api';

/** What a session's stream delivers. */
export interface LiveHandlers {
  session(data: Session): void;
  audit(data: { index: number; event: { kind: string; at: string }; status: SessionStatus; phase: Phase; iteration: number }): void;
  log(data: { line: string }): void;
  /** A phase wrote a new revision of an artifact (fetch its text only now). */
  artifact(data: { name: string; sha256: string }): void;
  notice(data: { code: string; message: string }): void;
  /** The connection is up (true) or being re-established (false). */
  connected(up: boolean): void;
}

/**
 * Follows `GET /sessions/{id}/events`. The browser's own reconnect sends Last-Event-ID; when the stream is
 * refused (a stream token expired, the gateway restarted), a fresh token is fetched and a new EventSource
 * resumes from the last id through `last_event_id`, so nothing is missed and nothing repeats.
 */
export class LiveSession {
  private source: EventSource | null = null;
  private lastId = '';
  private stopped = false;
  private retryTimer: number | undefined;

  constructor(
    private readonly sessionId: string,
    private readonly handlers: LiveHandlers,
  ) {}

  /** Open the stream. */
  async start(): Promise<void> {
    if (this.stopped) return;
    const params = new URLSearchParams();
    if (getToken()) {
      const { token } = await postJson<{ token: string }>('/auth/stream-token', { session_id: this.sessionId });
      params.set('access_token', token);
    }
    if (this.lastId) params.set('last_event_id', this.lastId);
    if (this.stopped) return;
    const query = params.toString();
    const source = new EventSource(`/sessions/${encodeURIComponent(this.sessionId)}/events${query ? `?${query}` : ''}`);
    this.source = source;
    const on = <T>(name: string, handler: (data: T) => void, positioned = false): void => {
      source.addEventListener(name, (event: MessageEvent<string>) => {
        if (positioned && event.lastEventId) this.lastId = event.lastEventId;
        handler(JSON.parse(event.data) as T);
      });
    };
    source.addEventListener('open', () => this.handlers.connected(true));
    on<Session>('session', (data) => this.handlers.session(data));
    on<Parameters<LiveHandlers['audit']>[0]>('audit', (data) => this.handlers.audit(data), true);
    on<{ line: string }>('log', (data) => this.handlers.log(data), true);
    on<{ name: string; sha256: string }>('artifact', (data) => this.handlers.artifact(data));
    on<{ code: string; message: string }>('notice', (data) => this.handlers.notice(data));
    source.addEventListener('error', () => {
      this.handlers.connected(false);
      if (source.readyState === EventSource.CLOSED) this.reopen();
    });
  }

  /** Close the stream for good. */
  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
  }

  private reopen(): void {
    this.source?.close();
    this.source = null;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      this.start().catch(() => this.reopen());
    }, 2000);
  }
}
