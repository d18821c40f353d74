import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities, type WorkerActivities } from '../../activities';
import type { OrchestratorConfig } from '../../src/config';
import { Orchestrator, type SessionInfo } from '../../src/orchestration/orchestrator';
import { createSessionWorker } from '../../src/worker';
import { getStateQuery, type SessionState } from '../../workflows/definitions';
import { sharedTestServer } from './test-server';

/** Options of a test harness. */
export interface HarnessOptions {
  /** Phase implementations that replace the template ones behind the real workflow. */
  activities?: Partial<WorkerActivities>;
  config?: Partial<OrchestratorConfig>;
  /** Start a worker right away. @default true */
  worker?: boolean;
  /** A server other than the suite's shared one (address). */
  address?: string;
}

/**
 * An Orchestrator and (optionally) a worker on a task queue of their own, against a real Temporal server.
 * Each harness has its own work directory base, so tests never see each other's files.
 */
export class SessionHarness {
  private worker: Worker | null = null;
  private workerRun: Promise<void> | null = null;
  private workerConnection: NativeConnection | null = null;

  private constructor(
    readonly orchestrator: Orchestrator,
    readonly client: Client,
    private readonly connection: Connection,
    private readonly bundlePath: string,
    private readonly activities: WorkerActivities,
    readonly workDirBase: string,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<SessionHarness> {
    const shared = await sharedTestServer();
    const address = options.address ?? shared.address;
    const workDirBase = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-work-'));
    const config: Partial<OrchestratorConfig> = {
      taskQueue: `test-${randomUUID()}`,
      workDirBase,
      ...options.config,
      temporalAddress: address,
    };
    const connection = await Connection.connect({ address });
    const orchestrator = new Orchestrator(config, { connection });
    const client = new Client({ connection, namespace: orchestrator.config.namespace });
    const harness = new SessionHarness(
      orchestrator,
      client,
      connection,
      shared.bundlePath,
      createActivities(options.activities),
      workDirBase,
    );
    if (options.worker !== false) await harness.startWorker();
    return harness;
  }

  /** Start (or restart) the worker on this harness's task queue. */
  async startWorker(): Promise<void> {
    if (this.worker) return;
    const { config } = this.orchestrator;
    this.workerConnection = await NativeConnection.connect({ address: config.temporalAddress });
    this.worker = await createSessionWorker({
      connection: this.workerConnection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      activities: this.activities,
      workflowBundle: { codePath: this.bundlePath },
    });
    this.workerRun = this.worker.run();
  }

  /** Stop the worker and wait until it has shut down. */
  async stopWorker(): Promise<void> {
    if (!this.worker) return;
    this.worker.shutdown();
    await this.workerRun;
    await this.workerConnection?.close();
    this.worker = null;
    this.workerRun = null;
    this.workerConnection = null;
  }

  /** Poll the session until `predicate` holds; fails with the last status seen after `timeoutMs`. */
  async waitFor(sessionId: string, predicate: (info: SessionInfo) => boolean, timeoutMs = 20_000): Promise<SessionInfo> {
    const deadline = Date.now() + timeoutMs;
    let last: SessionInfo | undefined;
    while (Date.now() < deadline) {
      last = await this.orchestrator.getSessionStatus(sessionId);
      if (predicate(last)) return last;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${sessionId}; last seen ${JSON.stringify(last)}`);
  }

  waitForStatus(sessionId: string, status: SessionInfo['status'], timeoutMs?: number): Promise<SessionInfo> {
    return this.waitFor(sessionId, (info) => info.status === status, timeoutMs);
  }

  /** The workflow's own view of the session (needs a worker). */
  state(sessionId: string): Promise<SessionState> {
    return this.client.workflow.getHandle(sessionId).query(getStateQuery);
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.orchestrator.close();
    await this.connection.close();
    await rm(this.workDirBase, { recursive: true, force: true });
  }
}

/** A promise with its resolver, for activities that wait on the test. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
