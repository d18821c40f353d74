import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { grpcCodeOf } from '../../src/temporal/grpc-status';
import { freePort } from '../helpers/free-port';
import { bundleWorkflowsToFile } from '../helpers/test-server';
import { ManagedProcess } from './managed-process';
import { PostgresServer } from './postgres';
import { ensureTemporalServerBuilt, TemporalServer } from './temporal-server';
import { SearchAttributeKeys } from '../../workflows/definitions';

const run = promisify(execFile);
const INVALID_ARGUMENT = 3; // gRPC status code
const ROOT = path.resolve(__dirname, '../../..');

/**
 * Wait until the frontend maps every session search attribute. The set-up step has registered them when it exits,
 * but with SQL visibility a frontend learns them on its next namespace-cache refresh (up to 10 s), and until then
 * a start with those attributes is refused (INVALID_ARGUMENT). A count query that names them all is refused the
 * same way, without starting anything.
 */
async function waitForSearchAttributes(address: string, namespace = 'default', timeoutMs = 60_000): Promise<void> {
  const query = Object.values(SearchAttributeKeys).map((key) => `${key.name} IS NOT NULL`).join(' AND ');
  const connection = await Connection.connect({ address });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await connection.workflowService.countWorkflowExecutions({ namespace, query });
        return;
      } catch (err) {
        if (grpcCodeOf(err) !== INVALID_ARGUMENT || Date.now() > deadline) throw err;
        await sleep(250);
      }
    }
  } finally {
    await connection.close();
  }
}

/** Which worker entry point the cluster's workers run. */
export type WorkerEntry = 'product' | 'fault';
const WORKER_ENTRIES: Record<WorkerEntry, string> = {
  product: path.join(ROOT, 'dist/src/worker.js'),
  fault: path.join(ROOT, 'dist/tests/cluster/fault-worker.js'),
};

/** Options of {@link Cluster.start}. */
export interface ClusterOptions {
  /** @default 2 */
  workers?: number;
  /** @default 2 */
  gateways?: number;
  /** @default 'product' (dist/src/worker.js) */
  workerEntry?: WorkerEntry;
  /** Settings every orchestrator process gets (MAX_ACTIVE_SESSIONS, …). */
  env?: NodeJS.ProcessEnv;
  /** Settings only the workers get (QA_TEST_COMMAND, FAULT_PAUSE_MS, …). */
  workerEnv?: NodeJS.ProcessEnv;
  /** A workflow bundle already built; without one the cluster bundles the workflows once. @default the suite's bundle, when run by it */
  bundlePath?: string;
}

/** A gateway process and where it listens. */
export interface GatewayProcess {
  process: ManagedProcess;
  url: string;
}

/** How long each step of {@link Cluster.start} took, in milliseconds. */
export type ClusterTimings = Record<'build' | 'postgres' | 'schemaAndServer' | 'namespace' | 'workersAndGateways' | 'total', number>;

/**
 * The production topology on this machine, without Docker: PostgreSQL (dedicated account, loopback port), the
 * Temporal server on it with SQL visibility, the namespace set up by the project's own step, and N workers and
 * N gateways as `node dist/…` processes sharing one work directory. Everything lives under one base directory
 * that unprivileged users can traverse (the generated code's user must reach the work directories).
 */
export class Cluster {
  readonly workers: ManagedProcess[] = [];
  readonly gateways: GatewayProcess[] = [];
  timings!: ClusterTimings;

  private constructor(
    readonly baseDir: string,
    readonly workDirBase: string,
    readonly postgres: PostgresServer,
    readonly temporal: TemporalServer,
    private readonly processEnv: NodeJS.ProcessEnv,
    private readonly workerEnv: NodeJS.ProcessEnv,
    private readonly workerEntry: WorkerEntry,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const t0 = Date.now();
    const mark = (() => {
      let last = t0;
      return (): number => {
        const now = Date.now();
        const spent = now - last;
        last = now;
        return spent;
      };
    })();
    const binDir = await ensureTemporalServerBuilt();
    const build = mark();
    const baseDir = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-cluster-'));
    await chmod(baseDir, 0o755); // mkdtemp makes 0700; PostgreSQL's account and generated code must traverse it
    const workDirBase = path.join(baseDir, 'projects');
    await mkdir(workDirBase, { mode: 0o755 });
    let postgres: PostgresServer | undefined;
    let temporal: TemporalServer | undefined;
    try {
      const prebuilt = options.bundlePath ?? process.env.ORCHESTRATOR_TEST_WORKFLOW_BUNDLE;
      const bundling = prebuilt ? Promise.resolve(prebuilt) : bundleWorkflowsToFile(baseDir);
      void bundling.catch(() => undefined);
      postgres = await PostgresServer.create(baseDir, await freePort());
      const timePostgres = mark();
      temporal = await TemporalServer.create(baseDir, binDir, postgres);
      const schemaAndServer = mark();
      const processEnv: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TMPDIR: process.env.TMPDIR,
        LOG_LEVEL: 'info',
        TEMPORAL_ADDRESS: temporal.address,
        WORK_DIR_BASE: workDirBase,
        ...options.env,
      };
      await run(process.execPath, [path.join(ROOT, 'dist/src/temporal/setup-namespace.js')], { env: processEnv, timeout: 180_000 });
      await waitForSearchAttributes(temporal.address);
      const namespace = mark();
      const bundlePath = await bundling;
      const cluster = new Cluster(baseDir, workDirBase, postgres, temporal, processEnv, { WORKFLOW_BUNDLE_PATH: bundlePath, ...options.workerEnv }, options.workerEntry ?? 'product');
      try {
        for (let i = 0; i < (options.workers ?? 2); i += 1) cluster.addWorker();
        for (let i = 0; i < (options.gateways ?? 2); i += 1) await cluster.addGateway();
        await Promise.all([...cluster.workers.map((w) => cluster.waitForWorker(w)), ...cluster.gateways.map((g) => cluster.waitForGateway(g))]);
      } catch (err) {
        await cluster.close();
        throw err;
      }
      cluster.timings = { build, postgres: timePostgres, schemaAndServer, namespace, workersAndGateways: mark(), total: Date.now() - t0 };
      return cluster;
    } catch (err) {
      await temporal?.close();
      await postgres?.close();
      await rm(baseDir, { recursive: true, force: true });
      throw err;
    }
  }

  private addWorker(): ManagedProcess {
    const name = `worker-${String.fromCharCode(97 + this.workers.length)}`;
    const worker = new ManagedProcess({
      name,
      command: process.execPath,
      args: [WORKER_ENTRIES[this.workerEntry]],
      // Readiness is read from the worker's info-level start line.
      env: { ...this.processEnv, ...this.workerEnv, LOG_LEVEL: 'info' },
      cwd: ROOT,
      logFile: path.join(this.baseDir, `${name}.log`),
    });
    worker.start();
    this.workers.push(worker);
    return worker;
  }

  private async addGateway(): Promise<GatewayProcess> {
    const name = `gateway-${String.fromCharCode(97 + this.gateways.length)}`;
    const port = await freePort();
    const gateway: GatewayProcess = {
      url: `http://127.0.0.1:${port}`,
      process: new ManagedProcess({
        name,
        command: process.execPath,
        args: [path.join(ROOT, 'dist/src/gateway/server.js')],
        env: { ...this.processEnv, PORT: String(port) },
        cwd: ROOT,
        logFile: path.join(this.baseDir, `${name}.log`),
      }),
    };
    gateway.process.start();
    this.gateways.push(gateway);
    return gateway;
  }

  /** Resolves once the worker has said it polls. */
  waitForWorker(worker: ManagedProcess, timeoutMs = 120_000): Promise<void> {
    return worker.waitForOutput(/"msg":"worker started"/, timeoutMs);
  }

  /** Resolves once the gateway answers /readyz with 200. */
  async waitForGateway(gateway: GatewayProcess, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!gateway.process.alive) throw new Error(`${gateway.process.spec.name} exited:\n${gateway.process.tail()}`);
      const status = await fetch(`${gateway.url}/readyz`, { signal: AbortSignal.timeout(3_000) }).then((r) => r.status, () => 0);
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`${gateway.process.spec.name} not ready within ${timeoutMs} ms (last status ${status}):\n${gateway.process.tail()}`);
      await sleep(200);
    }
  }

  /** Start a killed worker again (same entry, same settings) and wait until it polls. */
  async restartWorker(worker: ManagedProcess): Promise<void> {
    worker.start();
    await this.waitForWorker(worker);
  }

  /** Start a killed gateway again on its port and wait until it is ready. */
  async restartGateway(gateway: GatewayProcess): Promise<void> {
    gateway.process.start();
    await this.waitForGateway(gateway);
  }

  /** The gateway and worker pids (for RSS sampling). */
  get orchestratorProcesses(): ManagedProcess[] {
    return [...this.gateways.map((g) => g.process), ...this.workers];
  }

  /** Stop everything (gateways, workers, Temporal, PostgreSQL) and remove the base directory unless CLUSTER_KEEP_DIR is set. */
  async close(): Promise<void> {
    await Promise.all([...this.gateways.map((g) => g.process.close()), ...this.workers.map((w) => w.close())]);
    await this.temporal.close();
    await this.postgres.close();
    if (process.env.CLUSTER_KEEP_DIR) process.stderr.write(`# cluster kept in ${this.baseDir}\n`);
    else await rm(this.baseDir, { recursive: true, force: true });
  }
}
