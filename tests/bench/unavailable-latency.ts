/**
 * How fast the gateway answers when Temporal is unreachable, with its production defaults (GATEWAY_* unset).
 * Not part of `npm test` (the availability test asserts the fast path; this prints the figures):
 *
 *   npm run build && node dist/tests/bench/unavailable-latency.js [rounds=3]
 *
 * Starts a persisted dev server on free ports, a worker and a gateway; one session is taken to review; then the
 * worker and the server are stopped and each route is timed `rounds` times in turn: a read, a list, a start, a
 * decision and readiness. The first round starts right after the server is gone (the gateway may not know yet).
 * Then the server is started again on the same database and the time until /readyz answers 200 is printed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { startGateway } from '../../src/gateway/server';
import { Orchestrator, SessionStatus } from '../../src/orchestration/orchestrator';
import { type DevServer, startDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../helpers/free-port';
import { prepareNamespace } from '../../src/temporal/namespace';
import { startBenchWorker } from './bench-worker';

async function persistedServer(port: number, dbPath: string): Promise<DevServer> {
  const server = await startDevServer({ port, uiPort: null, dbPath, logFile: null });
  const setup = await Connection.connect({ address: server.address });
  await prepareNamespace(setup, 'default', 1);
  await setup.close();
  return server;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'unavailable-bench-'));
  const port = await freePort();
  const dbPath = path.join(dir, 'temporal.db');
  let server = await persistedServer(port, dbPath);
  const worker = await startBenchWorker(server.address, dir);
  const { config } = worker;
  const orchestrator = new Orchestrator(config);
  const gateway = await startGateway({ orchestrator, logger: pino({ level: 'silent' }), apiToken: undefined }, 0, '127.0.0.1');
  const base = `http://127.0.0.1:${gateway.port}`;
  try {
    const created = (await (await fetch(`${base}/sessions`, post({ user_mission: 'Benchmark an outage' }))).json()) as { session_id: string };
    const id = created.session_id;
    while ((await orchestrator.getSessionStatus(id)).status !== SessionStatus.AWAITING_APPROVAL) await sleep(50);
    await worker.stop();
    await server.stop();

    const routes: [string, string, RequestInit?][] = [
      ['read', `/sessions/${id}`],
      ['list', '/sessions'],
      ['start', '/sessions', post({ user_mission: 'During the outage' })],
      ['decision', `/sessions/${id}/approve`, post({})],
      ['readyz', '/readyz'],
    ];
    console.log(`# Temporal stopped; gateway defaults; ${os.cpus().length} cores, Node ${process.version}`);
    for (let round = 1; round <= rounds; round += 1) {
      const figures: string[] = [];
      for (const [label, route, init] of routes) {
        const started = performance.now();
        const response = await fetch(`${base}${route}`, init);
        const body = await response.text();
        const ms = performance.now() - started;
        const code = /"code":"([a-z_]+)"/.exec(body)?.[1] ?? /"status":"([a-z_]+)"/.exec(body)?.[1] ?? '';
        figures.push(`${label} ${response.status} ${code} ${ms.toFixed(0)} ms`);
      }
      console.log(`round ${round}: ${figures.join(' | ')}`);
    }
    const healthz = await fetch(`${base}/healthz`);
    console.log(`healthz during the outage: ${healthz.status}`);

    const restarted = performance.now();
    server = await persistedServer(port, dbPath);
    const serverUpMs = performance.now() - restarted;
    let status = 0;
    while (status !== 200 && performance.now() - restarted < 60_000) {
      status = (await fetch(`${base}/readyz`)).status;
      if (status !== 200) await sleep(50);
    }
    const read = await fetch(`${base}/sessions/${id}`);
    console.log(
      `server back: answering after ${serverUpMs.toFixed(0)} ms; /readyz ${status} ${(performance.now() - restarted - serverUpMs).toFixed(0)} ms later; read ${read.status}`,
    );
  } finally {
    await gateway.close();
    await orchestrator.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function post(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
