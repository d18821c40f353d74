import { setTimeout as sleep } from 'node:timers/promises';
import type { Response } from 'express';
import { FINAL_STATUSES, SESSION_LOG_PATH } from '../../workflows/definitions';
import { type Orchestrator, SessionNotFoundError, WorkerUnavailableError } from '../orchestration/orchestrator';
import { historyJson, sessionJson } from './presenters';
import { applyAuditEvent, type FeedCursor, type FeedState, formatEventId, readLogLines } from './session-feed';

/** Timing of an event stream. */
export interface EventStreamOptions {
  /** How often Temporal (a describe) and the log file are looked at. @default 250 */
  pollMs: number;
  /** How often a comment keeps idle connections (and proxies) alive. @default 15000 */
  heartbeatMs: number;
  /** Bound on each Temporal call. */
  requestTimeoutMs: number;
  /** The audit trail is re-read at least this often while the session is open, even if nothing seems changed. @default 2000 */
  historyEveryMs?: number;
}

const INITIAL: FeedState = { status: 'pending', phase: 'pm', iteration: 0 };

/**
 * Serves one session's Server-Sent Events until the client goes away: `session` snapshots (no id: a
 * repeat is harmless), then `audit` entries and `log` lines from `from` on, each with the position after
 * it as its id. An unknown session throws before any byte is sent (a 404 as usual).
 */
export async function streamSessionEvents(o: Orchestrator, sessionId: string, from: FeedCursor, res: Response, options: EventStreamOptions): Promise<void> {
  const within = <T>(fn: () => Promise<T>, ms = options.requestTimeoutMs): Promise<T> => o.withDeadline(ms, fn);
  let info = await within(() => o.getSessionStatus(sessionId));

  const closed = new AbortController();
  res.on('close', () => closed.abort());
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  const write = (text: string): void => {
    if (!closed.signal.aborted) res.write(text);
  };
  const send = (event: string, data: unknown, id?: string): void =>
    write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  write('retry: 2000\n\n');
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);

  const cursor = { ...from };
  const historyEveryMs = options.historyEveryMs ?? 2_000;
  let snapshot = '';
  let queriedFor = '';
  let queriedAt = 0;
  let auditDone = false;
  let lastNotice = '';
  const notice = (code: string, message: string): void => {
    if (code === lastNotice) return;
    lastNotice = code;
    send('notice', { code, message });
  };

  try {
    for (let first = true; !closed.signal.aborted; first = false) {
      let wait = options.pollMs;
      try {
        const final = FINAL_STATUSES.includes(info.status);
        if (!first && !(final && auditDone)) info = await within(() => o.getSessionStatus(sessionId));
        const current = JSON.stringify(sessionJson(info));
        if (current !== snapshot) {
          snapshot = current;
          send('session', sessionJson(info));
        }
        const updatedAt = info.updatedAt.toISOString();
        if (!auditDone && (updatedAt !== queriedFor || Date.now() - queriedAt >= historyEveryMs)) {
          try {
            const history = await within(() => o.getHistory(sessionId, options.requestTimeoutMs), options.requestTimeoutMs * 2);
            queriedFor = updatedAt;
            queriedAt = Date.now();
            const wire = (historyJson(history) as { events: unknown[] }).events;
            let state = INITIAL;
            history.events.forEach((event, index) => {
              state = applyAuditEvent(state, event);
              if (index < cursor.audit) return;
              cursor.audit = index + 1;
              send('audit', { index, event: wire[index], ...state }, formatEventId(cursor));
            });
            auditDone = FINAL_STATUSES.includes(history.status) && history.events.some((event) => event.kind === 'session_ended');
            lastNotice = '';
          } catch (err) {
            if (!(err instanceof WorkerUnavailableError)) throw err;
            notice('worker_unavailable', 'No worker answered for the audit trail yet; status and log lines keep coming.');
          }
        }
        const { lines, bytes } = await readLogLines(info.workDir, SESSION_LOG_PATH, cursor.log);
        lines.forEach((line, k) => {
          cursor.log += bytes[k] ?? 0;
          send('log', { line }, formatEventId(cursor));
        });
        if (final && auditDone && lines.length === 0) wait = options.pollMs * 8;
      } catch (err) {
        if (err instanceof SessionNotFoundError) {
          notice('session_not_found', 'The session is no longer known to Temporal (past retention).');
          break;
        }
        notice('temporal_unavailable', 'Temporal did not answer; retrying.');
        wait = Math.max(options.pollMs, 1_000);
      }
      await sleep(wait, undefined, { signal: closed.signal }).catch(() => undefined);
    }
  } finally {
    clearInterval(heartbeat);
    res.end();
  }
}
