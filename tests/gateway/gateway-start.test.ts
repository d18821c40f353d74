import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config';
import { startConfiguredGateway, startGateway } from '../../src/gateway/server';
import { Orchestrator } from '../../src/orchestration/orchestrator';
import { freePort } from '../helpers/free-port';

// Nothing here reaches Temporal (auth and the body limit answer first): an address nobody listens on will do.
const NOWHERE = { temporalAddress: '127.0.0.1:9' };
const NOWHERE_ENV = { TEMPORAL_ADDRESS: NOWHERE.temporalAddress };
test('a gateway started without a host listens on loopback only', async () => {
  const orchestrator = new Orchestrator(NOWHERE);
  const gateway = await startGateway({ orchestrator, logger: pino({ level: 'silent' }) }, 0);
  try {
    assert.equal((gateway.server.address() as AddressInfo).address, '127.0.0.1');
  } finally {
    await gateway.close();
    await orchestrator.close();
  }
});

test('the gateway of an entry point takes its port, host, token, body limit and dashboard from the loaded configuration', async () => {
  const token = 'a-token-of-sixteen-chars';
  const port = await freePort();
  const config = loadConfig({ ...NOWHERE_ENV, PORT: String(port), GATEWAY_HOST: '127.0.0.1', API_TOKEN: token, GATEWAY_BODY_LIMIT_BYTES: '2048', TEMPORAL_UI_URL: 'http://temporal-ui.example:8080' });
  const orchestrator = new Orchestrator(config.orchestrator);
  const gateway = await startConfiguredGateway(orchestrator, config);
  try {
    assert.equal(gateway.port, port);
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/sessions`)).status, 401, 'API_TOKEN reached the app');
    const big = await fetch(`${base}/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_mission: 'x'.repeat(4_096) }),
    });
    assert.equal(big.status, 413, 'GATEWAY_BODY_LIMIT_BYTES reached the body parser');
    const dashboard = (await (await fetch(`${base}/dashboard/config.json`)).json()) as { temporal_ui_url: string; auth_required: boolean };
    assert.deepEqual(dashboard, { temporal_ui_url: 'http://temporal-ui.example:8080', auth_required: true, namespace: 'default' }, 'TEMPORAL_UI_URL reached the dashboard');
  } finally {
    await gateway.close();
    await orchestrator.close();
  }
});

