/**
 * Orchestration speed on one in-memory dev server, in one run: sessions/s (template agents, no-op agents, the
 * bare workflow), start → review, approve and reject round trips, and `GET /sessions/{id}` beside a describe.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities, type WorkerActivities } from '../../activities';
import { startGateway } from '../../src/gateway/server';
import { InvalidOperationError } from '../../src/orchestration/errors';
import { Orchestrator } from '../../src/orchestration/orchestrator';
import { createSessionWorker } from '../../src/worker';
import { bareApprove, bareInReview, bareWorkflow } from './bare-workflow';
import { decideSafely, http, pool, progress, type Samples, samples, timed, until } from './bench-kit';
import { SseStream } from '../dashboard/sse-client';
import { noopActivities } from './noop-agents';

/** One path a session can take: through the gateway of a real worker, or the bare workflow. */
export interface Lane {
  name: string;
  /** One whole session, start to end; the time from start to review goes to `toReview`. */
  cycle(toReview: number[]): Promise<void>;
  close(): Promise<void>;
}

/** A worker, an Orchestrator and a gateway on a task queue of their own. */
export interface GatewayLane extends Lane {
  base: string;
  orchestrator: Orchestrator;
  /** A session now waiting in review. */
  inReview(): Promise<string>;
  /** Resolves once the session's workflow closed, however it ended. */
  closed(id: string): Promise<void>;
  /** Resolves once the session waits in review round `round`. */
  inRound(id: string, round: number): Promise<void>;
}

const silent = pino({ level: 'silent' });

/**
 * How a lane's client learns that its session reached review, and then its end: from the session's event stream
 * (`GET /sessions/{id}/events`, the way the API offers to follow a session, as the bare lane's client waits on
 * the workflow's result), or by asking `GET /sessions/{id}` every 25 ms.
 */
export type LaneWait = 'events' | 'polling';

/** Start a session worker with `activities` and a gateway in front of it. */
export async function gatewayLane(
  name: string,
  address: string,
  bundlePath: string,
  workDirBase: string,
  activities: WorkerActivities,
  connection?: Connection,
  wait: LaneWait = 'events',
): Promise<GatewayLane> {
  const taskQueue = `bench-${name}-${randomUUID()}`;
  const workerConnection = await NativeConnection.connect({ address });
  const worker = await createSessionWorker({ connection: workerConnection, namespace: 'default', taskQueue, activities, workflowBundle: { codePath: bundlePath } });
  const run = worker.run();
  const config = { temporalAddress: address, taskQueue, workDirBase: path.join(workDirBase, name), maxActiveSessions: 1_000_000 };
  const orchestrator = new Orchestrator(config, connection ? { connection } : {});
  const gateway = await startGateway({ orchestrator, logger: silent }, 0, '127.0.0.1');
  const base = `http://127.0.0.1:${gateway.port}`;
  const status = async (id: string): Promise<string> => String((await http('GET', `${base}/sessions/${id}`)).json?.status);
  const start = async (): Promise<string> => {
    const created = await http('POST', `${base}/sessions`, { user_mission: `Benchmark session (${name})` });
    if (created.status !== 201) throw new Error(`start answered ${created.status}: ${created.text}`);
    return String(created.json?.session_id);
  };
  const reachReview = (id: string): Promise<true> => until(`${id} in review`, async () => ((await status(id)) === 'awaiting_approval' ? true : null));
  const results = new Client({ connection: connection ?? (await Connection.connect({ address })) });
  const completed = (now: string): boolean => {
    if (['failed', 'expired', 'cancelled'].includes(now)) throw new Error(`session ended ${now}`);
    return now === 'completed';
  };
  const approve = async (id: string): Promise<void> => {
    const approved = await decideSafely(`${base}/sessions/${id}/approve`, {});
    if (approved.status !== 200) throw new Error(`approve answered ${approved.status}: ${approved.text}`);
  };
  const polledCycle = async (toReview: number[]): Promise<void> => {
    const [id, ms] = await timed(async () => {
      const id = await start();
      await reachReview(id);
      return id;
    });
    toReview.push(ms);
    await approve(id);
    await until(`${id} completed`, async () => (completed(await status(id)) ? true : null));
  };
  const streamedCycle = async (toReview: number[]): Promise<void> => {
    const started = Date.now();
    const id = await start();
    const stream = await SseStream.open(`${base}/sessions/${id}/events`);
    try {
      const statusIs = (check: (status: string) => boolean) => (events: { event: string; data: { status?: string } }[]) =>
        events.some((event) => event.event === 'session' && check(String(event.data.status)));
      await stream.waitFor(statusIs((now) => now === 'awaiting_approval'), 120_000);
      toReview.push(Date.now() - started);
      await approve(id);
      await stream.waitFor(statusIs(completed), 120_000);
    } finally {
      stream.close();
    }
  };
  return {
    name,
    base,
    orchestrator,
    cycle: wait === 'events' ? streamedCycle : polledCycle,
    async inReview() {
      const id = await start();
      await reachReview(id);
      return id;
    },
    async closed(id) {
      await results.workflow
        .getHandle(id)
        .result()
        .catch(() => undefined);
    },
    async inRound(id, round) {
      await until(`${id} in review round ${round}`, async () => {
        const info = (await http('GET', `${base}/sessions/${id}`)).json;
        return info?.status === 'awaiting_approval' && info.review_round === round ? true : null;
      });
    },
    async close() {
      await gateway.close();
      await orchestrator.close();
      if (!connection) await results.connection.close();
      worker.shutdown();
      await run;
      await workerConnection.close();
    },
  };
}

/**
 * The sessions of `lane`'s worker driven through the TypeScript API as the bare lane drives its workflow: start,
 * approve as soon as the session takes it (tried every 25 ms, as the bare client tries its update), then wait on the
 * workflow's result. No read path: what is left is the orchestration.
 */
export async function apiLane(lane: GatewayLane, address: string): Promise<Lane> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  return {
    name: `${lane.name}-api`,
    async cycle(toReview) {
      const started = Date.now();
      const id = await lane.orchestrator.startNewSession(`Benchmark session (${lane.name}, TS API)`);
      const lastTry = await approveOnceTaken(id, () => lane.orchestrator.approveAndContinue(id), (err) => err instanceof InvalidOperationError);
      toReview.push(lastTry - started);
      const state = (await client.workflow.getHandle(id).result()) as { status?: string };
      if (state.status !== 'completed') throw new Error(`${id} ended ${state.status}`);
    },
    async close() {
      await connection.close();
    },
  };
}

/**
 * Try `approve` every 25 ms until it is taken (`refused` tells a decision that came too early from a failure);
 * resolves with the time of the try that was taken.
 */
async function approveOnceTaken(id: string, approve: () => Promise<unknown>, refused: (err: unknown) => boolean): Promise<number> {
  return until(`${id} approvable`, async () => {
    const tried = Date.now();
    try {
      await approve();
      return tried;
    } catch (err) {
      if (refused(err)) return null;
      throw err;
    }
  });
}

/** The bare workflow, with the same worker options as a session worker. */
export async function bareLane(address: string): Promise<Lane & { inReview(): Promise<string>; approve(id: string): Promise<void>; closed(id: string): Promise<void> }> {
  const taskQueue = `bench-bare-${randomUUID()}`;
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./bare-workflow'), logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
  const workerConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: workerConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: { code },
    activities: { step: (name: string) => Promise.resolve(name) },
    maxHeartbeatThrottleInterval: '1 second',
    reuseV8Context: true,
    maxCachedWorkflows: 250,
    maxConcurrentWorkflowTaskExecutions: 40,
  });
  const run = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const approveWhenReady = (id: string): Promise<number> =>
    approveOnceTaken(id, () => client.workflow.getHandle(id).executeUpdate(bareApprove), (err) => err instanceof WorkflowUpdateFailedError);
  const start = async (): Promise<string> => {
    const id = `bare-${randomUUID()}`;
    await client.workflow.start(bareWorkflow, { taskQueue, workflowId: id });
    return id;
  };
  return {
    name: 'bare',
    async cycle(toReview) {
      const started = Date.now();
      const id = await start();
      const lastTry = await approveWhenReady(id);
      toReview.push(lastTry - started);
      await client.workflow.getHandle(id).result();
    },
    async inReview() {
      const id = await start();
      const handle = client.workflow.getHandle(id);
      await until(`${id} in review`, async () => ((await handle.query(bareInReview)) ? true : null));
      return id;
    },
    async approve(id) {
      await client.workflow.getHandle(id).executeUpdate(bareApprove);
    },
    async closed(id) {
      await client.workflow.getHandle(id).result();
    },
    async close() {
      await connection.close();
      worker.shutdown();
      await run;
      await workerConnection.close();
    },
  };
}

/** Sessions per second of `lane` with `concurrency` sessions at a time, and each session's time to review. */
export async function sessionsPerSecond(lane: Lane, concurrency: number, count: number): Promise<{ perSecond: number; toReview: Samples }> {
  const toReview: number[] = [];
  const [, ms] = await timed(() => pool(count, concurrency, () => lane.cycle(toReview)));
  return { perSecond: Math.round((count / (ms / 1000)) * 100) / 100, toReview: samples(toReview) };
}

/** One way to decide a review, for the round-trip figures. */
export interface DecisionPath {
  /** A session waiting in review. */
  prepare(): Promise<string>;
  /** The decision, timed. */
  decide(id: string): Promise<void>;
  /** Until what the decision set going is over (untimed). */
  settle(id: string): Promise<void>;
}

/** Samples of each path thrown away before the kept ones (first requests on a path, cold code). */
const WARM_UP_ROUNDS = 3;

/**
 * `count` round trips of every path, one decision at a time, interleaved sample by sample: each decision is timed
 * on a settled machine (what the previous one set going, an engineer and QA say, ran to its end first, untimed), so
 * neither the work that follows a decision nor the order of the paths weighs on another path's figure.
 */
export async function interleavedRoundTrips<Name extends string>(count: number, paths: Record<Name, DecisionPath>): Promise<Record<Name, Samples>> {
  const names = Object.keys(paths) as Name[];
  const rounds = count + WARM_UP_ROUNDS;
  const ids = {} as Record<Name, string[]>;
  for (const name of names) {
    const prepared: string[] = [];
    await pool(rounds, 5, async () => {
      prepared.push(await paths[name].prepare());
    });
    ids[name] = prepared;
  }
  const latencies = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names) {
      const id = ids[name][round]!;
      const [, ms] = await timed(() => paths[name].decide(id));
      if (round >= WARM_UP_ROUNDS) latencies[name].push(ms);
      await paths[name].settle(id);
    }
  }
  return Object.fromEntries(names.map((name) => [name, samples(latencies[name])])) as Record<Name, Samples>;
}

/** `GET /sessions/{id}` through the gateway beside a describe through the Orchestrator, alternating blocks. */
export async function readLatency(lane: GatewayLane, id: string, count: number): Promise<{ gateway: Samples; direct: Samples }> {
  const viaGateway: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    await http('GET', `${lane.base}/sessions/${id}`);
    await lane.orchestrator.getSessionStatus(id);
  }
  while (viaGateway.length < count) {
    for (let i = 0; i < 25; i += 1) viaGateway.push((await timed(() => http('GET', `${lane.base}/sessions/${id}`)))[1]);
    for (let i = 0; i < 25; i += 1) direct.push((await timed(() => lane.orchestrator.getSessionStatus(id)))[1]);
  }
  return { gateway: samples(viaGateway), direct: samples(direct) };
}

/** Template agents (the default provider) for a lane. */
export function templateActivities(): WorkerActivities {
  return createActivities();
}

export { noopActivities };

/** Log a lane's figure as it is measured. */
export function report(what: string, value: unknown): void {
  progress(`${what}: ${JSON.stringify(value)}`);
}
