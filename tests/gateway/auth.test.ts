/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GatewayHarness } from './gateway-harness';

const TOKEN = 'test-token-0123456789abcdef';

void describe('bearer auth', () => {
  let secured: GatewayHarness;
  let open: GatewayHarness;
  before(async () => {
    [secured, open] = await Promise.all([
      GatewayHarness.start({ worker: false, config: { maxActiveSessions: 10_000 }, gateway: { apiToken: TOKEN } }),
      GatewayHarness.start({ worker: false, config: { maxActiveSessions: 10_000 } }),
    ]);
  });
  after(() => Promise.all([secured.close(), open.close()]));

  void test('with API_TOKEN: every /sessions route needs the bearer token (401 otherwise); health, readiness, metrics and OpenAPI stay open', async () => {
    const created = await secured.request('POST', '/sessions', { body: { user_mission: 'Build a vault' }, token: TOKEN });
    assert.equal(created.status, 201);
    const id = created.json.session_id as string;
    const routes: [string, string, unknown?][] = [
      ['POST', '/sessions', { user_mission: 'Build a vault' }],
      ['GET', '/sessions'],
      ['GET', `/sessions/${id}`],
      ['POST', `/sessions/${id}/approve`],
      ['POST', `/sessions/${id}/reject`, { feedback: 'no' }],
      ['POST', `/sessions/${id}/cancel`],
      ['GET', `/sessions/${id}/history`],
      ['GET', `/sessions/${id}/artifacts`],
      ['GET', `/sessions/${id}/artifacts/prd`],
      ['GET', `/sessions/${id}/logs`],
      ['GET', `/sessions/${id}/running`],
    ];
    for (const [method, path, body] of routes) {
      for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${TOKEN}` }, { authorization: 'Bearer' }]) {
        const response = await secured.request(method, path, { body, headers });
        assert.equal(response.status, 401, `${method} ${path} ${JSON.stringify(headers)}`);
        assert.equal(response.json.error.code, 'unauthorized');
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
    }
    const oversized = await secured.request('POST', '/sessions', { rawBody: '{'.repeat(200_000) });
    assert.equal(oversized.status, 401, 'an unauthenticated body is never parsed');

    const withToken = await secured.request('GET', `/sessions/${id}`, { token: TOKEN });
    assert.equal(withToken.status, 200);
    const lowerCase = await secured.request('GET', `/sessions/${id}`, { headers: { authorization: `bearer ${TOKEN}` } });
    assert.equal(lowerCase.status, 200, 'the scheme is case-insensitive');
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      assert.equal((await secured.request('GET', path)).status, 200, path);
    }
    const unauthorizedLog = secured.logs.find((line) => line.status === 401);
    assert.equal(unauthorizedLog?.error_code, 'unauthorized');
    assert.doesNotMatch(JSON.stringify(secured.logs), new RegExp(TOKEN), 'the token never reaches the log');
  });

  void test('without API_TOKEN: no header needed', async () => {
    const created = await open.request('POST', '/sessions', { body: { user_mission: 'Build an open thing' } });
    assert.equal(created.status, 201);
    assert.equal((await open.request('GET', `/sessions/${created.json.session_id}`)).status, 200);
    assert.equal((await open.request('GET', '/sessions?limit=1')).status, 200);
  });

  void test('the served document declares bearer auth exactly when the gateway requires it', async () => {
    const [securedDoc, openDoc] = await Promise.all([secured.request('GET', '/openapi.json'), open.request('GET', '/openapi.json')]);
    assert.deepEqual(securedDoc.json.security, [{ bearer: [] }]);
    assert.equal(securedDoc.json.components.securitySchemes.bearer.scheme, 'bearer');
    assert.ok(securedDoc.json.paths['/sessions'].get.responses['401'], 'with API_TOKEN a session route may answer 401');
    assert.deepEqual(securedDoc.json.paths['/healthz'].get.security, [], 'health stays open');
    assert.equal(openDoc.json.security, undefined, 'without API_TOKEN nothing requires credentials');
    assert.equal(openDoc.json.components.securitySchemes, undefined);
    assert.equal(openDoc.json.paths['/sessions'].get.responses['401'], undefined, 'and no route answers 401');
  });
});
