import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config';
import { startConfiguredGateway, startGateway } from '../../src/gateway/server';
import { Orchestrator } from '../../src/orchestration/orchestrator';
import { freePort } from '../helpers/free-port';
import { sharedTestServer } from '../helpers/test-server';

/** Scrape `/metrics` every 250 ms until it has the session figures, for up to the first collection's 60 s. */
async function scrapeUntilFigures(port: number): Promise<string> {
  let text = '';
  for (let i = 0; i < 240 && !/^sessions_total /m.test(text); i += 1) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  }
  return text;
}

// Nothing here reaches Temporal (auth and the body limit answer first): an address nobody listens on will do.
const NOWHERE = { temporalAddress: '127.0.0.1:9' };
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
  // The entry point's gateway starts collecting metrics at once: a server that answers keeps close() quick.
  const { address } = await sharedTestServer();
  const config = loadConfig({ TEMPORAL_ADDRESS: address, PORT: String(port), GATEWAY_HOST: '127.0.0.1', API_TOKEN: token, GATEWAY_BODY_LIMIT_BYTES: '2048', TEMPORAL_UI_URL: 'http://temporal-ui.example:8080' });
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


test('until a collection has figures, /metrics leaves the session figures out rather than reporting 0', async () => {
  // A namespace the server does not have: every collection fails at once.
  const { address } = await sharedTestServer();
  const orchestrator = new Orchestrator({ temporalAddress: address, namespace: `missing-${randomUUID()}` });
  const gateway = await startGateway({ orchestrator, logger: pino({ level: 'silent' }) }, 0);
  try {
    const scrape = await fetch(`http://127.0.0.1:${gateway.port}/metrics`);
    assert.equal(scrape.status, 200);
    const text = await scrape.text();
    assert.match(text, /^orchestrator_temporal_up 0$/m, 'Temporal could not be read');
    for (const name of ['sessions_total', 'sessions_active', 'approvals_total', 'rejections_total', 'sessions_qa_passed']) {
      assert.doesNotMatch(text, new RegExp(`^${name} `, 'm'), `${name} is absent, not 0`);
    }
    assert.match(text, /^process_cpu_user_seconds_total /m, "the process's own metrics are there");
  } finally {
    await gateway.close();
    await orchestrator.close();
  }
});

test("an entry point's gateway starts its first collection at once, before any scrape", async () => {
  const { address } = await sharedTestServer();
  const config = loadConfig({ TEMPORAL_ADDRESS: address, PORT: String(await freePort()), TEMPORAL_TASK_QUEUE: `gateway-start-${randomUUID()}` });
  const orchestrator = new Orchestrator(config.orchestrator);
  let collections = 0;
  const collect = orchestrator.getSessionStats.bind(orchestrator);
  orchestrator.getSessionStats = () => {
    collections += 1;
    return collect();
  };
  const gateway = await startConfiguredGateway(orchestrator, config);
  try {
    for (let i = 0; i < 500 && collections === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(collections, 1, 'one collection, with no scrape yet');
    // On the suite's shared server the first collection may outlast a scrape's wait (every test's sessions are there).
    const text = await scrapeUntilFigures(gateway.port);
    assert.match(text, /^sessions_total \d+$/m, 'the figures, once collected');
  } finally {
    await gateway.close();
    await orchestrator.close();
  }
});

test('a first collection longer than a scrape may wait is not Temporal down: the scrape answers without figures, the next has them', async () => {
  const { address } = await sharedTestServer();
  const orchestrator = new Orchestrator({ temporalAddress: address, taskQueue: `gateway-start-${randomUUID()}` });
  // The stand-in here is the delay only: a first collection (a listing of every session) slower than the deadline.
  const collect = orchestrator.getSessionStats.bind(orchestrator);
  orchestrator.getSessionStats = async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return collect();
  };
  const warnings: unknown[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const gateway = await startGateway({ orchestrator, logger, metrics: { timeoutMs: 200 } }, 0);
  try {
    const first = await (await fetch(`http://127.0.0.1:${gateway.port}/metrics`)).text();
    assert.doesNotMatch(first, /^sessions_total /m, 'no figures yet');
    assert.doesNotMatch(first, /^orchestrator_temporal_up /m, 'nor a verdict on Temporal before the first attempt ended');
    // Up to the first collection's 60 s: on the suite's shared server it also reads other tests' sessions.
    const text = await scrapeUntilFigures(gateway.port);
    assert.match(text, /^sessions_total \d+$/m, 'the figures, once the first collection ended');
    assert.match(text, /^orchestrator_temporal_up 1$/m);
    assert.deepEqual(warnings, [], 'nothing said Temporal could not be read');
  } finally {
    await gateway.close();
    await orchestrator.close();
  }
});
