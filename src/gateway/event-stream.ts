import type { Response } from 'express';
import type { SessionChange, SessionWatchHub } from '../sessions/session-watch';
import { auditEventJson, sessionJson } from './presenters';
import { type FeedCursor, formatEventId } from './session-feed';

/** Timing of an event stream. */
export interface EventStreamOptions {
  /** How often a comment keeps idle connections (and proxies) alive. @default 15000 */
  heartbeatMs: number;
}

/**
 * Serves one session's Server-Sent Events until the client goes away, from the process's shared watcher of that
 * session (so a hundred viewers cost Temporal what one does): `session` snapshots (no id: a repeat is harmless),
 * then `audit` entries, `artifact` revisions and `log` lines from `from` on, each positioned event with the
 * position after it as its id. An unknown session throws before any byte is sent (a 404 as usual).
 */
export async function streamSessionEvents(hub: SessionWatchHub, sessionId: string, from: FeedCursor, res: Response, options: EventStreamOptions): Promise<void> {
  const closed = new AbortController();
  const changes = hub.watch(sessionId, from, closed.signal);
  let first: IteratorResult<SessionChange>;
  try {
    first = await changes.next();
  } catch (err) {
    closed.abort();
    throw err;
  }
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
  let snapshot = '';
  const deliver = (change: SessionChange): void => {
    switch (change.kind) {
      case 'info': {
        const json = sessionJson(change.info);
        const current = JSON.stringify(json);
        if (current !== snapshot) send('session', json);
        snapshot = current;
        break;
      }
      case 'audit': {
        cursor.audit = change.index + 1;
        send('audit', { index: change.index, event: auditEventJson(change.event), ...change.state }, formatEventId(cursor));
        break;
      }
      case 'artifact':
        send('artifact', { index: change.index, name: change.artifact.name, path: change.artifact.path, sha256: change.artifact.sha256, bytes: change.artifact.bytes });
        break;
      case 'log':
        cursor.log = change.end;
        send('log', { line: change.line }, formatEventId(cursor));
        break;
      case 'notice':
        send('notice', { code: change.code, message: change.message });
        break;
    }
  };
  try {
    if (!first.done) deliver(first.value);
    for await (const change of changes) deliver(change);
  } catch {
    // the watcher ended (session gone, after its notice): close the stream
  } finally {
    clearInterval(heartbeat);
    closed.abort();
    res.end();
  }
}
