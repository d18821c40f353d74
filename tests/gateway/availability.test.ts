/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import pino from 'pino';
import { startGateway } from '../../src/gateway/server';
import { type DevServer, startDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../helpers/free-port';
import { prepareNamespace } from '../../src/temporal/namespace';
import { approveSignal, rejectSignal } from '../../workflows/definitions';
import { GatewayHarness, metricValue } from './gateway-harness';

const REQUEST_TIMEOUT_MS = 1_000;
const DECISION_TIMEOUT_MS = 1_000;
const READINESS_TIMEOUT_MS = 1_000;
const CANCEL_WAIT_MS = 2_000;

/** A Temporal dev server of this file's own, persisted, so that it can be stopped and started again. */
async function startPrivateServer(port: number, dbPath: string): Promise<DevServer> {
  const server = await startDevServer({ port, uiPort: null, dbPath, logFile: null });
  const connection = await Connection.connect({ address: server.address });
  try {
    await prepareNamespace(connection, 'default', 1);
  } finally {
    await connection.close();
  }
  return server;
}

/** Poll /metrics until every expected series has its value. */
async function waitForMetrics(gw: GatewayHarness, expected: Record<string, number>, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await gw.request('GET', '/metrics')).text;
    if (Object.entries(expected).every(([series, value]) => metricValue(text, series) === value)) return text;
    await sleep(200);
  }
  const actual = Object.fromEntries(Object.keys(expected).map((series) => [series, metricValue(text, series)]));
  throw new Error(`metrics never reached ${JSON.stringify(expected)}; last ${JSON.stringify(actual)}`);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await fn();
  return [result, Date.now() - started];
}

void describe('metrics from Temporal, no worker, Temporal down and back (a private dev server)', () => {
  let dir: string;
  let port: number;
  let server: DevServer;
  let gw: GatewayHarness;
  let inReview: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-availability-'));
    port = await freePort();
    server = await startPrivateServer(port, path.join(dir, 'temporal.db'));
    gw = await GatewayHarness.start({
      address: server.address,
      config: { maxActiveSessions: 10_000 },
      gateway: {
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        decisionTimeoutMs: DECISION_TIMEOUT_MS,
        readinessTimeoutMs: READINESS_TIMEOUT_MS,
        cancelWaitMs: CANCEL_WAIT_MS,
        metrics: { cacheMs: 0, timeoutMs: REQUEST_TIMEOUT_MS },
      },
    });
  });
  after(async () => {
    await gw.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  void test('session figures are the namespace’s truth: decisions by signal count, and a restarted gateway reports the same', async () => {
    const start = async (mission: string): Promise<string> => {
      const response = await gw.request('POST', '/sessions', { body: { user_mission: mission } });
      assert.equal(response.status, 201);
      return response.json.session_id as string;
    };
    const signals = (id: string) => gw.sessions.client.workflow.getHandle(id);
    const [a, b, c] = await Promise.all([start('Session A'), start('Session B'), start('Session C')]);
    await Promise.all([a, b, c].map((id) => gw.waitForStatus(id, 'awaiting_approval')));

    assert.equal((await gw.request('POST', `/sessions/${a}/reject`, { body: { feedback: 'More detail' } })).status, 200);
    await gw.waitFor(a, (s) => s.status === 'awaiting_approval' && s.iteration_count === 1);
    await signals(a).signal(approveSignal, { by: 'operator' });
    await signals(b).signal(rejectSignal, { feedback: 'Start over', rejectTo: 'pm', by: 'operator' });
    await gw.waitFor(b, (s) => s.status === 'awaiting_approval' && s.iteration_count === 1);
    assert.equal((await gw.request('POST', `/sessions/${c}/cancel`)).status, 200);
    await gw.waitForStatus(a, 'completed');

    const expected = {
      sessions_total: 3,
      sessions_active: 1,
      approvals_total: 1,
      rejections_total: 2,
      'sessions_by_status{status="completed"}': 1,
      'sessions_by_status{status="awaiting_approval"}': 1,
      'sessions_by_status{status="cancelled"}': 1,
      'sessions_by_status{status="running"}': 0,
      session_metrics_unresolved_sessions: 0,
      orchestrator_temporal_up: 1,
    };
    const text = await waitForMetrics(gw, {
      ...expected,
      'session_phase_duration_seconds_count{phase="review"}': 2,
      'session_phase_duration_seconds_count{phase="architect"}': 2,
      'session_phase_duration_seconds_count{phase="qa"}': 1,
    });
    assert.ok((metricValue(text, 'session_phase_longest_seconds{phase="review"}') ?? 0) > 0, 'B has been waiting for review');

    await gw.restartGateway();
    const restarted = await waitForMetrics(gw, expected, 5_000);
    assert.equal(metricValue(restarted, 'session_phase_duration_seconds_count{phase="qa"}'), null, 'A closed before this process ran');
    inReview = b;
  });

  void test('no worker: a decision answers 503 in bounded time, applies when the worker returns, and its retry returns that outcome; history needs a worker', async () => {
    await gw.sessions.stopWorker();
    const key = 'approve-without-worker';
    const [pending, elapsed] = await timed(() => gw.request('POST', `/sessions/${inReview}/approve`, { headers: { 'Idempotency-Key': key } }));
    assert.equal(pending.status, 503, pending.text);
    assert.equal(pending.json.error.code, 'decision_not_confirmed');
    assert.match(pending.json.error.message, /may still be applied/);
    assert.equal(pending.headers.get('idempotency-key'), key);
    assert.ok(elapsed < DECISION_TIMEOUT_MS + 3_000, `answered in ${elapsed} ms`);

    const [history, historyMs] = await timed(() => gw.request('GET', `/sessions/${inReview}/history`));
    assert.equal(history.status, 503);
    assert.equal(history.json.error.code, 'worker_unavailable');
    assert.ok(historyMs < REQUEST_TIMEOUT_MS * 2 + 3_000, `answered in ${historyMs} ms`);
    const status = await gw.request('GET', `/sessions/${inReview}`);
    assert.equal(status.status, 200, 'status needs no worker');
    assert.equal(status.json.status, 'awaiting_approval');

    const toCancel = (await gw.request('POST', '/sessions', { body: { user_mission: 'Cancel me without a worker' } })).json.session_id as string;
    const [cancel, cancelMs] = await timed(() => gw.request('POST', `/sessions/${toCancel}/cancel`));
    assert.equal(cancel.status, 503, cancel.text);
    assert.equal(cancel.json.error.code, 'cancel_not_confirmed');
    assert.ok(cancelMs < CANCEL_WAIT_MS + 3_000, `cancel answered in ${cancelMs} ms`);

    await gw.sessions.startWorker();
    await gw.waitForStatus(toCancel, 'cancelled');
    await gw.waitFor(inReview, (s) => s.current_phase !== 'review', 15_000);
    const retry = await gw.request('POST', `/sessions/${inReview}/approve`, { headers: { 'Idempotency-Key': key } });
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.json.current_phase, 'engineer');
    await gw.waitForStatus(inReview, 'completed');
    const decisions = (await gw.request('GET', `/sessions/${inReview}/history`)).json.decisions;
    assert.deepEqual(
      decisions.map((d: { decision: string; via: string }) => `${d.decision}/${d.via}`),
      ['reject/signal', 'approve/update'],
      'the decision applied exactly once',
    );
  });

  void test('Temporal down: 503 answered from the known connection state, readiness 503, health 200; back up: everything recovers by itself', async () => {
    const { json } = await gw.request('POST', '/sessions', { body: { user_mission: 'Survive an outage' } });
    const id = json.session_id as string;
    await gw.waitForStatus(id, 'awaiting_approval');
    await waitForMetrics(gw, { sessions_total: 5 });
    await gw.sessions.stopWorker();
    await server.stop();

    const latencies: string[] = [];
    const fastPath = /known from the connection state/;
    const outage: [string, string, string, unknown?][] = [
      ['read', 'GET', `/sessions/${id}`],
      ['list', 'GET', '/sessions'],
      ['start', 'POST', '/sessions', { user_mission: 'During the outage' }],
      ['decision', 'POST', `/sessions/${id}/approve`, {}],
      ['readyz', 'GET', '/readyz'],
    ];
    for (const [label, method, route, body] of outage) {
      const [response, elapsed] = await timed(() => gw.request(method, route, { body, headers: label === 'decision' ? { 'Idempotency-Key': 'outage' } : {} }));
      latencies.push(`${label} ${elapsed} ms`);
      assert.equal(response.status, 503, `${method} ${route}: ${response.text}`);
      if (label === 'readyz') {
        assert.equal(response.json.database, 'disconnected');
        assert.match(response.json.error, fastPath, 'readiness answered from the connection state, not by waiting for a ping');
      } else {
        assert.equal(response.json.error.code, 'temporal_unavailable', `${method} ${route}`);
        assert.match(response.json.error.message, fastPath, `${method} ${route} answered from the connection state, not by waiting out its timeout`);
      }
    }
    console.log(`# Temporal down, 503 latencies (request timeout ${REQUEST_TIMEOUT_MS} ms): ${latencies.join(', ')}`);
    assert.ok(gw.gatewayReachability().fastFailures >= outage.length, 'the gateway counted its fast answers');
    // The work directory of a session this gateway has read is remembered (it never changes), so its files are
    // served without asking Temporal.
    const files = await gw.request('GET', `/sessions/${id}/artifacts`);
    assert.equal(files.status, 200, files.text);
    assert.match(files.json.prd as string, /docs\/PRD\.md$/);
    assert.equal((await gw.request('GET', '/healthz')).status, 200, 'the process itself is healthy');
    const metrics = await gw.request('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.equal(metricValue(metrics.text, 'orchestrator_temporal_up'), 0);
    assert.equal(metricValue(metrics.text, 'sessions_total'), 5, 'the last figures stay while Temporal is away');

    await gw.restartGateway();
    const [fresh, freshMs] = await timed(() => gw.request('GET', '/readyz'));
    assert.equal(fresh.status, 503, 'a gateway started during the outage answers too');
    const [freshRead, freshReadMs] = await timed(() => gw.request('GET', `/sessions/${id}`));
    assert.equal(freshRead.status, 503);
    assert.match(freshRead.json.error.message, fastPath, 'a new gateway learns the state from its first connection attempt');
    console.log(`# a gateway started during the outage: readyz ${freshMs} ms, then read ${freshReadMs} ms`);

    server = await startPrivateServer(port, path.join(dir, 'temporal.db'));
    const back = Date.now();
    let status = 0;
    while (Date.now() - back < 30_000 && status !== 200) {
      status = (await gw.request('GET', '/readyz')).status;
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200, 'readiness recovered');
    console.log(`# Temporal back: readyz 200 after ${Date.now() - back} ms`);
    const read = await gw.request('GET', `/sessions/${id}`);
    assert.equal(read.status, 200, read.text);
    await gw.sessions.startWorker();
    const approved = await gw.request('POST', `/sessions/${id}/approve`, { headers: { 'Idempotency-Key': 'outage' } });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.current_phase, 'engineer', 'the decision refused during the outage was never sent, so this one applies');
  });

  void test('Temporal frozen (SIGSTOP, a silent network): a slow call makes the gateway probe, then it answers from the connection state; SIGCONT: back', async () => {
    const { json } = await gw.request('POST', '/sessions', { body: { user_mission: 'Survive a frozen server' } });
    const id = json.session_id as string;
    const frozenAt = Date.now();
    process.kill(server.pid, 'SIGSTOP');
    try {
      let fast: { message: string; afterMs: number } | null = null;
      const latencies: number[] = [];
      for (let attempt = 0; attempt < 20 && !fast; attempt += 1) {
        const [response, elapsed] = await timed(() => gw.request('GET', `/sessions/${id}`));
        latencies.push(elapsed);
        assert.equal(response.status, 503, response.text);
        if (/known from the connection state/.test(response.json.error.message)) fast = { message: response.json.error.message, afterMs: Date.now() - frozenAt };
      }
      assert.ok(fast, 'the probe found Temporal silent and later requests were answered from the connection state');
      console.log(`# Temporal frozen: 503 latencies ${latencies.join(', ')} ms; answered from the connection state ${fast.afterMs} ms after the freeze`);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    let status = 0;
    for (let attempt = 0; attempt < 150 && status !== 200; attempt += 1) {
      status = (await gw.request('GET', '/readyz')).status;
      if (status !== 200) await sleep(200);
    }
    assert.equal(status, 200, 'readiness recovered after SIGCONT');
    assert.equal((await gw.request('GET', `/sessions/${id}`)).status, 200);
  });

  void test('graceful shutdown: health and readiness turn 503, in-flight requests finish, new connections are refused', async () => {
    const draining = await startGateway({ orchestrator: gw.orchestrator, logger: pino({ level: 'silent' }), isShuttingDown: () => true }, 0, '127.0.0.1');
    try {
      const health = await fetch(`http://127.0.0.1:${draining.port}/healthz`);
      assert.equal(health.status, 503);
      assert.equal(((await health.json()) as { status: string }).status, 'unhealthy');
      assert.equal((await fetch(`http://127.0.0.1:${draining.port}/readyz`)).status, 503);
    } finally {
      await draining.close();
    }

    const { json } = await gw.request('POST', '/sessions', { body: { user_mission: 'Shut down gracefully' } });
    await gw.sessions.stopWorker();
    const slow = gw.request('GET', `/sessions/${json.session_id}/history`);
    await sleep(200);
    const closing = gw.running.close();
    const inFlight = await slow;
    assert.equal(inFlight.status, 503, `the in-flight request got its answer: ${inFlight.text}`);
    await closing;
    await assert.rejects(fetch(`${gw.baseUrl}/healthz`), 'no new connections after shutdown');
    await gw.restartGateway();
    await gw.sessions.startWorker();
  });
});
