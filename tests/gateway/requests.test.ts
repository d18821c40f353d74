/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { OPERATIONS } from '../../src/gateway/operations';
import { validOpenApi31 } from './openapi-checker';
import { GatewayHarness } from './gateway-harness';

void describe('requests, validation and errors over HTTP', () => {
  let gw: GatewayHarness;
  before(async () => {
    gw = await GatewayHarness.start({ worker: false, config: { maxActiveSessions: 10_000 }, gateway: { bodyLimitBytes: 4_096 } });
  });
  after(() => gw.close());

  void test('POST /sessions: 400 for a blank or missing mission, an unknown field or malformed JSON; 413 beyond the limit; 415 not JSON', async () => {
    const cases: [unknown, RegExp][] = [
      [{ user_mission: '   ' }, /user_mission/],
      [{ project_name: 'p' }, /user_mission/],
      [{ user_mission: 'ok', owner: 'me' }, /unknown field.*owner/],
      [{ user_mission: 42 }, /user_mission/],
      [[], /body/],
    ];
    for (const [body, message] of cases) {
      const response = await gw.request('POST', '/sessions', { body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.json.error.code, 'validation_error');
      assert.match(response.json.error.message, message);
    }
    const malformed = await gw.request('POST', '/sessions', { rawBody: '{"user_mission": "x",' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error.code, 'malformed_json');
    assert.doesNotMatch(malformed.text, /at .*\.js|SyntaxError/, 'no stack trace or parser internals');
    const large = await gw.request('POST', '/sessions', { body: { user_mission: 'x'.repeat(5_000) } });
    assert.equal(large.status, 413);
    assert.equal(large.json.error.code, 'payload_too_large');
    const text = await gw.request('POST', '/sessions', { rawBody: 'user_mission=x', contentType: 'text/plain' });
    assert.equal(text.status, 415);
    const none = await gw.request('POST', '/sessions');
    assert.equal(none.status, 400);
  });

  void test('Idempotency-Key on POST /sessions: retries (also concurrent ones) return the same session, never a second one', async () => {
    const project = `idem-${randomUUID()}`;
    const headers = { 'Idempotency-Key': `start-${randomUUID()}` };
    const body = { user_mission: 'Build a feed reader', project_name: project };
    const first = await gw.request('POST', '/sessions', { body, headers });
    assert.equal(first.status, 201);
    const retries = await Promise.all([1, 2, 3].map(() => gw.request('POST', '/sessions', { body, headers })));
    for (const retry of retries) {
      assert.equal(retry.status, 201);
      assert.equal(retry.json.session_id, first.json.session_id);
      assert.equal(retry.json.created_at, first.json.created_at);
    }
    const racing = { 'Idempotency-Key': `race-${randomUUID()}` };
    const raced = await Promise.all([1, 2, 3, 4].map(() => gw.request('POST', '/sessions', { body, headers: racing })));
    assert.deepEqual(new Set(raced.map((r) => r.status)), new Set([201]));
    assert.equal(new Set(raced.map((r) => r.json.session_id)).size, 1, 'concurrent first requests share one session');

    const reused = await gw.request('POST', '/sessions', { body: { ...body, user_mission: 'Something else' }, headers });
    assert.equal(reused.status, 422);
    assert.equal(reused.json.error.code, 'idempotency_key_reused');
    const badKey = await gw.request('POST', '/sessions', { body, headers: { 'Idempotency-Key': 'has space' } });
    assert.equal(badKey.status, 400);

    const listed = await waitForListing(gw, `/sessions?project=${project}`, 2);
    assert.equal(listed.length, 2, 'two keys, two sessions; the retries started nothing');
  });

  void test('GET /sessions pages newest first through more sessions than one page; filters; 400 for bad parameters', async () => {
    const project = `paging-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const { json } = await gw.request('POST', '/sessions', { body: { user_mission: `Paged mission ${i}`, project_name: project } });
      ids.push(json.session_id as string);
    }
    await waitForListing(gw, `/sessions?project=${project}`, 7);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/sessions?project=${project}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await gw.request('GET', query);
      assert.equal(page.status, 200);
      assert.ok(page.json.sessions.length <= 3);
      seen.push(...page.json.sessions.map((s: { session_id: string }) => s.session_id));
      cursor = page.json.next_cursor as string | null;
      pages += 1;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...ids].reverse(), 'every session once, newest first');

    const pending = await gw.request('GET', `/sessions?project=${project}&status=pending&limit=1000`);
    assert.equal(pending.json.sessions.length, 7);
    const none = await gw.request('GET', `/sessions?project=${project}&status=completed`);
    assert.deepEqual(none.json, { sessions: [], next_cursor: null });

    const anyPosition = await gw.request('GET', '/sessions?cursor=0.sess_none');
    assert.equal(anyPosition.status, 200, 'every cursor of the documented form is a position (here: before every session)');
    assert.deepEqual(anyPosition.json, { sessions: [], next_cursor: null });
    assert.equal((await gw.request('GET', '/sessions?cursor=9999999999999.sess_zzz&limit=1')).status, 200, 'the latest position the form allows');
    for (const query of ['status=bogus', 'limit=0', 'limit=1001', 'limit=abc', 'limit=2.5', 'cursor=not-a-cursor', 'colour=red', 'status=a&status=b']) {
      const bad = await gw.request('GET', `/sessions?${query}`);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.json.error.code, 'validation_error');
    }
  });

  void test('unknown sessions are 404 on every session route; unknown artifact names and bad lines too', async () => {
    const id = 'sess_doesNotExist0000000';
    const routes: [string, string][] = [
      ['GET', `/sessions/${id}`],
      ['POST', `/sessions/${id}/approve`],
      ['POST', `/sessions/${id}/cancel`],
      ['GET', `/sessions/${id}/history`],
      ['GET', `/sessions/${id}/artifacts`],
      ['GET', `/sessions/${id}/artifacts/prd`],
      ['GET', `/sessions/${id}/logs`],
      ['GET', `/sessions/${id}/running`],
      ['GET', '/sessions/not-a-session-id'],
    ];
    for (const [method, path] of routes) {
      const response = await gw.request(method, path);
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(response.json.error.code, 'session_not_found');
    }
    const reject = await gw.request('POST', `/sessions/${id}/reject`, { body: { feedback: 'no such session' } });
    assert.equal(reject.status, 404);

    const { json } = await gw.request('POST', '/sessions', { body: { user_mission: 'Build a pastebin' } });
    const unknownName = await gw.request('GET', `/sessions/${json.session_id}/artifacts/passwords`);
    assert.equal(unknownName.status, 404);
    assert.equal(unknownName.json.error.code, 'artifact_not_found');
    const notYet = await gw.request('GET', `/sessions/${json.session_id}/artifacts/prd`);
    assert.equal(notYet.status, 404, 'no worker: nothing produced yet');
    for (const lines of ['0', '10001', 'x']) {
      const bad = await gw.request('GET', `/sessions/${json.session_id}/logs?lines=${lines}`);
      assert.equal(bad.status, 400, lines);
    }
    const empty = await gw.request('GET', `/sessions/${json.session_id}/logs`);
    assert.equal(empty.status, 200);
    const undecodable = await gw.request('GET', '/sessions/%E0%A4%A/history');
    assert.equal(undecodable.status, 400, 'a malformed path is the client’s error, not a 500');
    assert.equal(undecodable.json.error.code, 'bad_request');
    const route = await gw.request('GET', '/nowhere', { unchecked: true });
    assert.equal(route.status, 404);
    assert.equal(route.json.error.code, 'not_found');
  });

  void test('a method a documented path does not serve is 405 with Allow; OPTIONS lists them', async () => {
    for (const [method, path, allow] of [
      ['PATCH', '/sessions', 'GET, HEAD, POST, OPTIONS'],
      ['DELETE', '/sessions/sess_nope', 'GET, HEAD, OPTIONS'],
      ['PUT', '/healthz', 'GET, HEAD, OPTIONS'],
      ['GET', '/auth/stream-token', 'POST, OPTIONS'],
    ] as const) {
      const response = await gw.request(method, path, { unchecked: true });
      assert.equal(response.status, 405, `${method} ${path}: ${response.text}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      assert.equal(response.json.error.code, 'method_not_allowed');
    }
    const options = await gw.request('OPTIONS', '/sessions/sess_nope/approve', { unchecked: true });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'POST, OPTIONS');
  });

  void test('429 beyond max active sessions', async () => {
    const capped = await GatewayHarness.start({ worker: false, config: { maxActiveSessions: 1 } });
    try {
      const started: string[] = [];
      let refused = null;
      for (let attempt = 0; attempt < 2 && !refused; attempt += 1) {
        const response = await capped.request('POST', '/sessions', { body: { user_mission: 'Fill the cap' } });
        if (response.status === 201) started.push(response.json.session_id as string);
        else refused = response;
      }
      assert.equal(refused?.status, 429);
      assert.equal(refused?.json.error.code, 'too_many_sessions');
      assert.ok(refused?.headers.get('retry-after'));
      for (const id of started) await capped.sessions.client.workflow.getHandle(id).terminate('test cleanup');
    } finally {
      await capped.close();
    }
  });

  void test('security headers, no x-powered-by, health, OpenAPI 3.1 with every operation', async () => {
    const health = await gw.request('GET', '/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.json.status, 'healthy');
    assert.equal(health.headers.get('x-powered-by'), null);
    const session = await gw.request('GET', '/sessions');
    for (const response of [health, session]) {
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.ok(response.headers.get('strict-transport-security'));
      assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN');
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.ok(response.headers.get('x-request-id'));
    }
    const ready = await gw.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.json.database, 'connected');

    const doc = await gw.request('GET', '/openapi.json');
    assert.equal(doc.json.openapi, '3.1.0');
    const operations = Object.values(doc.json.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) =>
      Object.values(p).map((op) => op.operationId),
    );
    assert.deepEqual(operations.sort(), Object.values(OPERATIONS).map((op) => op.operationId).sort());
    assert.equal(validOpenApi31(doc.json), true, 'the document is valid against the OpenAPI 3.1 schema');
    const startBody = doc.json.paths['/sessions'].post.requestBody.content['application/json'].schema;
    assert.equal(startBody.additionalProperties, false, 'unknown fields refused, as documented');
  });
});

async function waitForListing(gw: GatewayHarness, path: string, count: number): Promise<string[]> {
  let ids: string[] = [];
  for (let attempt = 0; attempt < 100; attempt += 1) {
    ids = (await gw.request('GET', `${path}&limit=1000`)).json.sessions.map((s: { session_id: string }) => s.session_id);
    if (ids.length >= count) return ids;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return ids;
}
