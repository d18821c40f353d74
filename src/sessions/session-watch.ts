import { setTimeout as sleep } from 'node:timers/promises';
import { type ArtifactRef, FINAL_STATUSES, type SessionEvent, SessionStatus } from '../../workflows/definitions';
import { SessionNotFoundError, WorkerUnavailableError } from '../orchestration/errors';
import { type AuditState, applyAuditEvent, INITIAL_AUDIT_STATE } from '../../workflows/session-state';
import type { SessionInfo } from './session-info';
import type { SessionReader } from './session-reader';

/** A position in a session's two append-only sources: audit entries and log bytes delivered so far. */
export interface WatchCursor {
  audit: number;
  log: number;
}

/** What a watcher reports, in the order it learnt it. */
export type SessionChange =
  | { kind: 'info'; info: SessionInfo }
  /** Audit entry `index`, and the status and phase it leaves the session in. */
  | { kind: 'audit'; index: number; event: SessionEvent; state: AuditState }
  /** A whole log line: from byte offset `start` to `end` (right after its newline). */
  | { kind: 'log'; line: string; start: number; end: number }
  /** A phase wrote a new revision of an artifact (its text is fetched only by those who want it). */
  | { kind: 'artifact'; artifact: ArtifactRef; index: number }
  | { kind: 'notice'; code: 'worker_unavailable' | 'temporal_unavailable' | 'session_not_found'; message: string };

/** Timing of the shared watchers. */
export interface WatchOptions {
  /** How often visibility (a describe) and the log file are looked at. @default 250 */
  pollMs: number;
  /** The audit trail is re-read at least this often while the session is open. @default 2000 */
  historyEveryMs: number;
  /**
   * After a change, the audit trail is re-read once this long has passed since the last read (a burst of changes
   * costs one query), at once when the session enters review or ends. @default 1000
   */
  historyAfterChangeMs: number;
  /** Bound on each Temporal call. @default 5000 */
  requestTimeoutMs: number;
}

const DEFAULTS: WatchOptions = { pollMs: 250, historyEveryMs: 2_000, historyAfterChangeMs: 1_000, requestTimeoutMs: 5_000 };

interface Subscriber {
  push(change: SessionChange): void;
  end(error?: Error): void;
}

/**
 * One poller per session per process, shared by every subscriber: it describes the session, re-reads the audit
 * trail when the session changed (or every `historyEveryMs`), reads new log lines, and hands each change to all
 * subscribers. It starts with the first subscriber and stops when the last one leaves. A subscriber joining late
 * gets the current info and the audit entries from its own cursor from memory; log lines before the poller's
 * position it reads from the file itself (no Temporal call).
 */
export class SessionWatchHub {
  private readonly pollers = new Map<string, SessionPoller>();
  private readonly options: WatchOptions;

  constructor(
    private readonly reader: SessionReader,
    private readonly bound: <T>(timeoutMs: number, fn: () => Promise<T>) => Promise<T>,
    options: Partial<WatchOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Sessions with a poller now (for tests and the benchmark). */
  get watchedSessions(): number {
    return this.pollers.size;
  }

  /**
   * The changes of a session from `from` on, until `signal` aborts or the session is gone. The first change is
   * always its info; an unknown session rejects the first `next()` with a SessionNotFoundError.
   */
  async *watch(sessionId: string, from: WatchCursor, signal: AbortSignal): AsyncGenerator<SessionChange> {
    const queue: SessionChange[] = [];
    let wake: (() => void) | null = null;
    const status: { ended: boolean; failure: Error | null } = { ended: false, failure: null };
    const subscriber: Subscriber = {
      push(change) {
        queue.push(change);
        wake?.();
      },
      end(error?: Error) {
        status.ended = true;
        status.failure = error ?? null;
        wake?.();
      },
    };
    const onAbort = (): void => subscriber.end();
    signal.addEventListener('abort', onAbort);
    let poller = this.pollers.get(sessionId);
    if (!poller) {
      poller = new SessionPoller(sessionId, this.reader, this.bound, this.options, from.log, () => this.pollers.delete(sessionId));
      this.pollers.set(sessionId, poller);
    }
    poller.join(subscriber);
    const cursor = { ...from };
    let caughtUp = false;
    let lastAudit = -1;
    try {
      for (;;) {
        const change = queue.shift();
        if (!change) {
          if (status.ended) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        if (change.kind === 'audit') {
          if (change.index < cursor.audit) continue;
          cursor.audit = change.index + 1;
          lastAudit = change.index;
        } else if (change.kind === 'artifact') {
          if (change.index !== lastAudit) continue;
        } else if (change.kind === 'log') {
          if (change.end <= cursor.log) continue;
          if (change.start > cursor.log) yield* this.catchUp(sessionId, cursor, change.start);
          cursor.log = change.end;
        }
        yield change;
        if (change.kind === 'info' && !caughtUp) {
          caughtUp = true;
          yield* this.catchUp(sessionId, cursor, poller.logPosition);
        }
      }
      if (status.failure) throw status.failure;
    } finally {
      signal.removeEventListener('abort', onAbort);
      poller.leave(subscriber);
    }
  }

  /** Log lines from the cursor up to offset `to`, read from the file: what a late subscriber missed. */
  private async *catchUp(sessionId: string, cursor: WatchCursor, to: number): AsyncGenerator<SessionChange> {
    while (cursor.log < to) {
      const { lines, bytes } = await this.reader.logLines(sessionId, cursor.log);
      if (lines.length === 0) return;
      for (let i = 0; i < lines.length && cursor.log < to; i += 1) {
        const start = cursor.log;
        cursor.log += bytes[i] ?? 0;
        yield { kind: 'log', line: lines[i] ?? '', start, end: cursor.log };
      }
    }
  }
}

/** The poller of one session. */
class SessionPoller {
  private readonly subscribers = new Set<Subscriber>();
  private info: SessionInfo | null = null;
  private events: SessionEvent[] = [];
  private states: AuditState[] = [];
  private auditDone = false;
  private notice: (SessionChange & { kind: 'notice' }) | null = null;
  private readonly stop = new AbortController();

  constructor(
    private readonly sessionId: string,
    private readonly reader: SessionReader,
    private readonly bound: <T>(timeoutMs: number, fn: () => Promise<T>) => Promise<T>,
    private readonly options: WatchOptions,
    private logOffset: number,
    private readonly onStopped: () => void,
  ) {
    void this.run();
  }

  /** The log offset up to which lines were handed out. */
  get logPosition(): number {
    return this.logOffset;
  }

  join(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    if (!this.info) return;
    subscriber.push({ kind: 'info', info: this.info });
    this.events.forEach((event, index) => this.pushAudit(subscriber, index, event));
    if (this.notice) subscriber.push(this.notice);
  }

  leave(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.close();
  }

  private close(): void {
    if (this.stop.signal.aborted) return;
    this.stop.abort();
    this.onStopped();
  }

  private broadcast(change: SessionChange): void {
    for (const subscriber of this.subscribers) subscriber.push(change);
  }

  private pushAudit(subscriber: Subscriber, index: number, event: SessionEvent): void {
    subscriber.push({ kind: 'audit', index, event, state: this.states[index] ?? INITIAL_AUDIT_STATE });
    if (event.kind === 'phase_completed') for (const artifact of event.artifacts) subscriber.push({ kind: 'artifact', artifact, index });
  }

  private say(notice: SessionChange & { kind: 'notice' }): void {
    if (this.notice?.code === notice.code) return;
    this.notice = notice;
    this.broadcast(notice);
  }

  private async run(): Promise<void> {
    const { pollMs, historyEveryMs, historyAfterChangeMs, requestTimeoutMs } = this.options;
    let snapshot = '';
    let queriedFor = '';
    let queriedAt = 0;
    let clamped = false;
    while (!this.stop.signal.aborted) {
      let wait = pollMs;
      try {
        const final = this.info !== null && FINAL_STATUSES.includes(this.info.status);
        const info = final && this.auditDone && this.info ? this.info : await this.bound(requestTimeoutMs, () => this.reader.info(this.sessionId));
        this.info = info;
        // The first subscriber's position may lie past the file (a viewer that wants no old lines): start at its end.
        if (!clamped) {
          this.logOffset = Math.min(this.logOffset, (await this.reader.recentLogs(this.sessionId, 1)).end);
          clamped = true;
        }
        const current = JSON.stringify(info);
        if (current !== snapshot) {
          snapshot = current;
          this.broadcast({ kind: 'info', info });
        }
        const updatedAt = info.updatedAt.toISOString();
        const sinceRead = Date.now() - queriedAt;
        const urgent = info.status === SessionStatus.AWAITING_APPROVAL || FINAL_STATUSES.includes(info.status);
        const changed = updatedAt !== queriedFor && (urgent || sinceRead >= historyAfterChangeMs);
        if (!this.auditDone && (changed || sinceRead >= historyEveryMs)) {
          if (await this.readAudit()) {
            queriedFor = updatedAt;
            queriedAt = Date.now();
          }
        }
        const lines = await this.readLog();
        if (final && this.auditDone && lines === 0) wait = pollMs * 8;
      } catch (err) {
        if (err instanceof SessionNotFoundError) {
          const gone = { kind: 'notice', code: 'session_not_found', message: 'The session is no longer known to Temporal (past retention).' } as const;
          for (const subscriber of this.subscribers) {
            if (this.info) subscriber.push(gone);
            subscriber.end(this.info ? undefined : err);
          }
          this.close();
          return;
        }
        this.say({ kind: 'notice', code: 'temporal_unavailable', message: 'Temporal did not answer; retrying.' });
        wait = Math.max(pollMs, 1_000);
      }
      await sleep(wait, undefined, { signal: this.stop.signal }).catch(() => undefined);
    }
  }

  /** New audit entries, handed to every subscriber; false when no worker answered. */
  private async readAudit(): Promise<boolean> {
    const { requestTimeoutMs } = this.options;
    try {
      // The feed carries the audit trail only: the notifier's deliveries would cost a second query per look.
      const history = await this.reader.history(this.sessionId, requestTimeoutMs, { deliveries: false });
      let state = this.states.at(-1) ?? INITIAL_AUDIT_STATE;
      for (let index = this.events.length; index < history.events.length; index += 1) {
        const event = history.events[index] as SessionEvent;
        state = applyAuditEvent(state, event);
        this.events.push(event);
        this.states.push(state);
        for (const subscriber of this.subscribers) this.pushAudit(subscriber, index, event);
      }
      this.auditDone = FINAL_STATUSES.includes(history.status) && history.events.some((event) => event.kind === 'session_ended');
      this.notice = null;
      return true;
    } catch (err) {
      if (!(err instanceof WorkerUnavailableError)) throw err;
      this.say({ kind: 'notice', code: 'worker_unavailable', message: 'No worker answered for the audit trail yet; status and log lines keep coming.' });
      return false;
    }
  }

  /** New whole log lines, handed to every subscriber; how many there were. */
  private async readLog(): Promise<number> {
    const { lines, bytes } = await this.reader.logLines(this.sessionId, this.logOffset);
    lines.forEach((line, k) => {
      const start = this.logOffset;
      this.logOffset += bytes[k] ?? 0;
      this.broadcast({ kind: 'log', line, start, end: this.logOffset });
    });
    return lines.length;
  }
}
