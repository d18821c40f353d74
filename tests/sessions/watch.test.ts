import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Orchestrator, type SessionChange, SessionStatus } from '../../src/orchestration/orchestrator';
import { SessionWatchHub, type WatchCursor } from '../../src/sessions/session-watch';
import { SessionHarness } from '../helpers/session-harness';

/** Changes of a watcher until `enough` says so. */
async function collect(changes: AsyncGenerator<SessionChange>, enough: (seen: SessionChange[]) => boolean): Promise<SessionChange[]> {
  const seen: SessionChange[] = [];
  for await (const change of changes) {
    seen.push(change);
    if (enough(seen)) break;
  }
  return seen;
}

const logLines = (changes: SessionChange[]): string[] => changes.flatMap((c) => (c.kind === 'log' ? [c.line] : []));
const auditIndexes = (changes: SessionChange[]): number[] => changes.flatMap((c) => (c.kind === 'audit' ? [c.index] : []));

test('one watcher per session however many follow it; late and resuming followers get exactly what they are missing', async () => {
  const harness = await SessionHarness.start();
  const reader = new Orchestrator(harness.orchestrator.config);
  const hub = new SessionWatchHub(reader.sessions, (ms, fn) => reader.withDeadline(ms, fn), { pollMs: 50 });
  try {
    const id = await harness.orchestrator.startNewSession('Build a changelog generator');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const expectedLog = (await harness.orchestrator.getRecentLogs(id, 1000)).trimEnd().split('\n');
    const events = (await harness.orchestrator.getHistory(id)).events.length;
    const complete = (seen: SessionChange[]): boolean => logLines(seen).length >= expectedLog.length && auditIndexes(seen).length >= events;

    const stop = new AbortController();
    const from: WatchCursor = { audit: 0, log: 0 };
    const followers = Array.from({ length: 10 }, () => collect(hub.watch(id, from, stop.signal), complete));
    const seen = await Promise.all(followers);
    assert.equal(hub.watchedSessions, 0, 'every follower left, so the watcher stopped');
    for (const changes of seen) {
      assert.equal(changes[0]?.kind, 'info', 'the first change is the session');
      assert.deepEqual(logLines(changes), expectedLog, 'every log line once, in order');
      assert.deepEqual(auditIndexes(changes), Array.from({ length: events }, (_v, i) => i), 'every audit entry once, in order');
      assert.ok(changes.some((c) => c.kind === 'artifact' && c.artifact.name === 'prd'), 'the PRD revision is announced');
    }

    const keep = new AbortController();
    const total = Buffer.byteLength(`${expectedLog.join('\n')}\n`);
    // A follower that wants nothing old keeps the watcher alive at the log's end; later ones start behind it.
    const first = hub.watch(id, { audit: events, log: total }, keep.signal);
    const opening = await first.next();
    assert.equal(opening.done ? null : opening.value.kind, 'info');
    assert.equal(hub.watchedSessions, 1);
    const listening = hub.watch(id, from, keep.signal);
    const late = collect(listening, complete);
    const resumeAt = { audit: events - 1, log: Buffer.byteLength(`${expectedLog.slice(0, -1).join('\n')}\n`) };
    const resumed = await collect(hub.watch(id, resumeAt, keep.signal), (s) => logLines(s).length >= 1 && auditIndexes(s).length >= 1);
    assert.deepEqual(logLines(resumed), expectedLog.slice(-1), 'a resumed follower gets only the lines after its position');
    assert.deepEqual(auditIndexes(resumed), [events - 1]);
    assert.deepEqual(logLines(await late), expectedLog, 'a late follower catches up from the file');
    assert.equal(hub.watchedSessions, 1, 'all of them shared the one watcher');
    keep.abort();
    await first.return(undefined);
    assert.equal(hub.watchedSessions, 0);

    await assert.rejects(collect(hub.watch('sess_doesnotexist', from, keep.signal), () => true), { name: 'SessionNotFoundError' });
  } finally {
    await reader.close();
    await harness.close();
  }
});
