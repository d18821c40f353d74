/**
 * Latency of `GET /sessions/{id}` through the gateway beside a direct `Orchestrator.getSessionStatus` call,
 * on the same Temporal dev server in one run. Not part of `npm test`:
 *
 *   npm run build && node dist/tests/bench/gateway-latency.js [iterations=500]
 *
 * Starts its own in-memory dev server on free ports, a worker and a gateway on 127.0.0.1; one session is taken
 * to review, then both paths read it in alternating blocks (so drift hits both alike), after a warm-up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { startGateway } from '../../src/gateway/server';
import { Orchestrator, SessionStatus } from '../../src/orchestration/orchestrator';
import { startDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../helpers/free-port';
import { prepareNamespace } from '../../src/temporal/namespace';
import { startBenchWorker } from './bench-worker';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (ms: number): string => `${ms.toFixed(2)} ms`;
  return `${label.padEnd(34)} p50 ${f(percentile(sorted, 50))}   p90 ${f(percentile(sorted, 90))}   p99 ${f(percentile(sorted, 99))}   (n=${sorted.length})`;
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 500);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-bench-'));
  const server = await startDevServer({ port: await freePort(), uiPort: null, dbPath: null });
  const setup = await Connection.connect({ address: server.address });
  await prepareNamespace(setup, 'default', 1);
  await setup.close();

  const worker = await startBenchWorker(server.address, dir);
  const { config } = worker;
  const direct = new Orchestrator(config);
  const behindGateway = new Orchestrator(config);
  const gateway = await startGateway({ orchestrator: behindGateway, logger: pino({ level: 'silent' }) }, 0, '127.0.0.1');
  try {
    const id = await direct.startNewSession('Benchmark session');
    while ((await direct.getSessionStatus(id)).status !== SessionStatus.AWAITING_APPROVAL) await sleep(50);
    const url = `http://127.0.0.1:${gateway.port}/sessions/${id}`;

    const viaGateway = async (): Promise<number> => {
      const started = performance.now();
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`gateway answered ${response.status}`);
      return performance.now() - started;
    };
    const viaOrchestrator = async (): Promise<number> => {
      const started = performance.now();
      await direct.getSessionStatus(id);
      return performance.now() - started;
    };
    for (let i = 0; i < 50; i += 1) {
      await viaGateway();
      await viaOrchestrator();
    }
    const gatewaySamples: number[] = [];
    const directSamples: number[] = [];
    const block = 50;
    while (gatewaySamples.length < iterations) {
      for (let i = 0; i < block; i += 1) gatewaySamples.push(await viaGateway());
      for (let i = 0; i < block; i += 1) directSamples.push(await viaOrchestrator());
    }
    console.log(`# GET /sessions/{id} vs Orchestrator.getSessionStatus, ${iterations} sequential calls each, ${os.cpus().length} cores, Node ${process.version}`);
    console.log(summary('gateway (HTTP, keep-alive)', gatewaySamples));
    console.log(summary('direct Orchestrator call', directSamples));
    const sortedG = [...gatewaySamples].sort((a, b) => a - b);
    const sortedD = [...directSamples].sort((a, b) => a - b);
    console.log(`# gateway overhead at p50: ${(percentile(sortedG, 50) - percentile(sortedD, 50)).toFixed(2)} ms`);
  } finally {
    await gateway.close();
    await behindGateway.close();
    await direct.close();
    await worker.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
