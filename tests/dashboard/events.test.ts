/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseEventId } from '../../src/gateway/session-feed';
import { StreamTokens } from '../../src/gateway/stream-token';
import { GatewayHarness } from '../gateway/gateway-harness';
import { type SseEvent, SseStream } from './sse-client';

const TOKEN = 'dashboard-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

/** Every numbered event moves exactly one of the two positions forward by what it carries. */
function assertPositions(events: SseEvent[], from = { audit: 0, log: 0 }): void {
  let at = from;
  for (const event of events.filter((e) => e.id !== undefined)) {
    const next = parseEventId(event.id ?? '');
    assert.ok(next, `id ${event.id}`);
    if (event.event === 'audit') {
      assert.deepEqual(next, { audit: at.audit + 1, log: at.log }, 'an audit entry moves the audit position by one');
      assert.equal(event.data.index, at.audit);
    } else {
      assert.equal(event.event, 'log');
      assert.deepEqual(next, { audit: at.audit, log: at.log + Buffer.byteLength(`${event.data.line}\n`) }, 'a log line moves the log position by its bytes');
    }
    at = next;
  }
}

const audits = (events: SseEvent[]): SseEvent[] => events.filter((e) => e.event === 'audit');
const kinds = (events: SseEvent[]): string[] => audits(events).map((e) => e.data.event.kind as string);
const logText = (events: SseEvent[]): string => events.filter((e) => e.event === 'log').map((e) => `${e.data.line}\n`).join('');

void describe('GET /sessions/{id}/events, on the real stack', () => {
  let gw: GatewayHarness;
  before(async () => {
    gw = await GatewayHarness.start({ gateway: { apiToken: TOKEN, dashboard: { pollMs: 100, heartbeatMs: 1_000 } } });
  });
  after(() => gw.close());

  const start = async (mission: string): Promise<string> => {
    const started = await gw.request('POST', '/sessions', { body: { user_mission: mission }, token: TOKEN });
    assert.equal(started.status, 201);
    return started.json.session_id as string;
  };

  void test('a snapshot first, then audit entries and log lines in order, each id the position after it; heartbeats', async () => {
    const id = await start('Build a todo API');
    const stream = await SseStream.open(`${gw.baseUrl}/sessions/${id}/events`, auth);
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);
    // The review's own entry, not just the status: the info (from visibility) can say awaiting_approval before the
    // audit read that follows it has delivered the architect's entries.
    const reviewStarted = (events: SseEvent[]) =>
      audits(events).some((e) => e.data.event.kind === 'phase_started' && e.data.event.phase === 'review');
    await stream.waitFor((events) => reviewStarted(events) && events.some((e) => e.event === 'session' && e.data.status === 'awaiting_approval'));
    await stream.waitFor(() => stream.comments.includes('heartbeat'), 3_000);
    stream.close();

    assert.equal(stream.events[0]?.event, 'session');
    assert.equal(stream.events[0]?.id, undefined, 'snapshots carry no position');
    assertPositions(stream.events);
    const history = await gw.request('GET', `/sessions/${id}/history`, { token: TOKEN });
    assert.deepEqual(audits(stream.events).map((e) => e.data.event), history.json.events, 'the audit trail, entry by entry');
    const review = audits(stream.events).find((e) => e.data.event.kind === 'phase_started' && e.data.event.phase === 'review');
    assert.equal(review?.data.status, 'awaiting_approval', 'each entry says the status it leaves the session in');
    const log = await readFile(path.join(gw.sessions.workDirBase, id, 'logs/session.log'), 'utf8');
    assert.ok(log.startsWith(logText(stream.events)) && logText(stream.events).length > 0, 'log lines as the file has them');
  });

  void test('Last-Event-ID after a dropped connection resumes with no gap and no repeat, through a rejection to completion', async () => {
    const id = await start('Build a URL shortener');
    const first = await SseStream.open(`${gw.baseUrl}/sessions/${id}/events`, auth);
    await first.waitFor((events) => audits(events).length >= 3 && events.some((e) => e.event === 'log'));
    first.close();
    const seen = first.events.slice();
    const lastId = seen.filter((e) => e.id !== undefined).at(-1)?.id ?? '';

    await gw.waitForStatus(id, 'awaiting_approval');
    const rejected = await gw.request('POST', `/sessions/${id}/reject`, { body: { feedback: 'Add rate limiting', by: 'alice' }, token: TOKEN });
    assert.equal(rejected.status, 200);
    await gw.waitForStatus(id, 'awaiting_approval');
    assert.equal((await gw.request('POST', `/sessions/${id}/approve`, { token: TOKEN })).status, 200);

    const second = await SseStream.open(`${gw.baseUrl}/sessions/${id}/events`, { ...auth, 'last-event-id': lastId });
    await second.waitFor((events) => kinds(events).includes('session_ended'));
    const logFile = path.join(gw.sessions.workDirBase, id, 'logs/session.log');
    const log = await readFile(logFile, 'utf8');
    await second.waitFor(() => logText(seen) + logText(second.events) === log, 5_000);
    second.close();

    assertPositions(second.events, parseEventId(lastId) ?? undefined);
    const history = await gw.request('GET', `/sessions/${id}/history`, { token: TOKEN });
    assert.deepEqual([...audits(seen), ...audits(second.events)].map((e) => e.data.event), history.json.events, 'every audit entry exactly once');
    assert.equal(logText(seen) + logText(second.events), log, 'every log line exactly once');
    assert.equal(second.events.filter((e) => e.event === 'session').at(-1)?.data.status, 'completed');

    const revisions = await gw.request('GET', `/sessions/${id}/artifacts/tech_spec/revisions`, { token: TOKEN });
    assert.equal(revisions.status, 200);
    assert.deepEqual(revisions.json.revisions.map((r: { revision: number; current: boolean }) => [r.revision, r.current]), [[1, false], [2, true]]);
    assert.notEqual(revisions.json.revisions[0].text, revisions.json.revisions[1].text, 'the rejection changed the spec');
    const unknown = await gw.request('GET', `/sessions/${id}/artifacts/nothing/revisions`, { token: TOKEN });
    assert.equal(unknown.status, 404);
  });

  void test('auth: bearer or a stream token for that session; never an expired, foreign or forged one', async () => {
    const id = await start('Build a chat server');
    const other = await start('Build a blog');
    const url = `${gw.baseUrl}/sessions/${id}/events`;
    const refused = async (query: string, headers: Record<string, string> = {}): Promise<void> => {
      const stream = await SseStream.open(`${url}${query}`, headers);
      assert.equal(stream.response.status, 401, query);
      assert.equal(((await stream.response.json()) as { error: { code: string } }).error.code, 'unauthorized');
    };
    await refused('');
    await refused('?access_token=forged.token');
    assert.equal((await gw.request('POST', '/auth/stream-token', { body: { session_id: id } })).status, 401, 'tokens need the bearer');
    const foreign = await gw.request('POST', '/auth/stream-token', { body: { session_id: other }, token: TOKEN });
    await refused(`?access_token=${foreign.json.token}`);
    const expired = new StreamTokens(TOKEN, 60_000, () => Date.now() - 120_000).issue(id);
    await refused(`?access_token=${expired.token}`);
    const otherKey = new StreamTokens('another-gateway-token-0123456789').issue(id);
    await refused(`?access_token=${otherKey.token}`);

    const issued = await gw.request('POST', '/auth/stream-token', { body: { session_id: id }, token: TOKEN });
    assert.equal(issued.status, 200);
    assert.ok(Date.parse(issued.json.expires_at) - Date.now() <= 5 * 60_000);
    const stream = await SseStream.open(`${url}?access_token=${issued.json.token}`);
    assert.equal(stream.response.status, 200);
    await stream.waitFor((events) => events.some((e) => e.event === 'session'));
    stream.close();
    const logged = JSON.stringify(gw.logs);
    assert.ok(!logged.includes(issued.json.token) && !logged.includes(TOKEN), 'no token in the request log');

    const bad = await SseStream.open(url, { ...auth, 'last-event-id': 'not-an-id' });
    assert.equal(bad.response.status, 400);
    const missing = await SseStream.open(`${gw.baseUrl}/sessions/sess_doesnotexist/events`, auth);
    assert.equal(missing.response.status, 404);
    assert.equal((await gw.request('POST', '/auth/stream-token', { body: { session_id: 'sess_doesnotexist' }, token: TOKEN })).status, 404);
  });

  void test('revisions never follow a link out of the work directory', async () => {
    const id = await start('Build a notes app');
    await gw.waitForStatus(id, 'awaiting_approval', 20_000);
    const history = path.join(gw.sessions.workDirBase, id, 'docs/history');
    await mkdir(history, { recursive: true });
    await symlink('/etc/passwd', path.join(history, 'PRD.v7.md'));
    const revisions = await gw.request('GET', `/sessions/${id}/artifacts/prd/revisions`, { token: TOKEN });
    assert.equal(revisions.status, 200);
    assert.deepEqual(revisions.json.revisions.map((r: { path: string }) => r.path), ['docs/PRD.md']);
  });
});
