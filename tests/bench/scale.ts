/**
 * Sessions waiting in review at scale: seed a dev-server database with N sessions in review (no-op agents, many
 * starts at a time, a worker process of its own whose memory is read at the end), then run `node dist/src/main.js`
 * on that database and measure start-up, listing, metrics and memory through its gateway.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { resolveConfig } from '../../src/config';
import { newSessionId, sessionStartOptions } from '../../src/orchestration/session-start';
import { startDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../helpers/free-port';
import { prepareNamespace } from '../../src/temporal/namespace';
import { SESSION_WORKFLOW_TYPE } from '../../workflows/definitions';
import type { sessionWorkflow } from '../../workflows/session';
import { childPids, http, pool, progress, rssMb, type Samples, samples, timed, until } from './bench-kit';

/** Where seeded databases live and which task queue their sessions use. */
export interface SeedPlace {
  dir: string;
  taskQueue: string;
  bundlePath: string;
}

/** How a database was seeded. */
export interface SeedReport {
  sessions: number;
  reused: boolean;
  /** Time to start the sessions that were missing and see them all in review, in seconds. */
  seedSeconds: number;
  /** The seeding worker's RSS once every session waited in review, in MB (NaN when reused). */
  workerRssMb: number;
}

const REVIEW_QUERY = `WorkflowType = '${SESSION_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND SessionStatus = 'awaiting_approval'`;

/** The database with `sessions` sessions waiting in review; made from `from` (a smaller one) when given. */
export async function seed(place: SeedPlace, sessions: number, from: string | null): Promise<{ dbPath: string; report: SeedReport }> {
  const dbPath = path.join(place.dir, `waiting-${sessions}.db`);
  const exists = await stat(dbPath).then(() => true, () => false);
  if (!exists && from) for (const suffix of ['', '-wal', '-shm']) await copyFile(from + suffix, dbPath + suffix).catch(() => undefined);
  const server = await startDevServer({ port: await freePort(), uiPort: null, dbPath, logFile: null });
  const connection = await Connection.connect({ address: server.address });
  const worker = spawn(process.execPath, [path.join(__dirname, 'noop-worker.js'), server.address, place.taskQueue, place.bundlePath], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await prepareNamespace(connection, 'default', 30);
    const client = new Client({ connection });
    const inReview = async (): Promise<number> => (await client.workflow.count(REVIEW_QUERY)).count;
    const already = await inReview();
    const missing = Math.max(0, sessions - already);
    if (missing === 0) return { dbPath, report: { sessions, reused: true, seedSeconds: 0, workerRssMb: NaN } };
    await new Promise<void>((resolve, reject) => {
      worker.stdout?.once('data', () => resolve());
      worker.once('exit', (code) => reject(new Error(`the seeding worker exited with ${code}`)));
    });
    progress(`seeding ${missing} sessions into review (${already} there already)`);
    const config = resolveConfig({ taskQueue: place.taskQueue, workDirBase: path.join(place.dir, 'projects') });
    const [, ms] = await timed(async () => {
      let started = 0;
      await pool(missing, 50, async (i) => {
        const request = { mission: `Seeded session ${already + i}`, project: 'bench' };
        await client.workflow.start<typeof sessionWorkflow>(SESSION_WORKFLOW_TYPE, sessionStartOptions(config, newSessionId(), request, false));
        if ((started += 1) % 1000 === 0) progress(`  ${started}/${missing} started`);
      });
      await until(`${sessions} sessions in review`, async () => {
        const n = await inReview();
        progress(`  ${n}/${sessions} in review`);
        return n >= sessions ? true : null;
      }, 3_600_000, 5_000);
    });
    const workerRssMb = await rssMb(worker.pid ?? 0);
    return { dbPath, report: { sessions, reused: false, seedSeconds: Math.round(ms / 100) / 10, workerRssMb } };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((resolve) => (worker.exitCode === null ? worker.once('exit', resolve) : resolve(null)));
    await connection.close();
    await server.stop();
  }
}

/** What `npm start` shows with a seeded database. */
export interface ScaleFigures {
  sessions: number;
  startupSeconds: number;
  list: Samples;
  listAwaiting: Samples;
  /** Listing answers other than 200. */
  listErrors: number;
  /** The first scrape (waits for the first collection) and the following ones. */
  metricsFirstMs: number;
  metrics: Samples;
  /** A steady collection's own time (one after the first, which lists what changed), as the gateway reports it. */
  collectionMs: number;
  /** The first collection's own time: it lists every session. */
  firstCollectionMs: number;
  sessionsTotal: number | null;
  mainRssMb: number;
  devServerRssMb: number;
}

/** A running `node dist/src/main.js`, ready (its /readyz answered 200). */
interface RunningMain {
  main: ChildProcess;
  base: string;
  startupSeconds: number;
  stop(): Promise<void>;
}

/** Spawn `node dist/src/main.js` on `dbPath` and wait for its first /readyz 200. */
async function spawnMain(place: SeedPlace, dbPath: string, extraEnv: Record<string, string> = {}): Promise<RunningMain> {
  const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    ORCHESTRATOR_DB_PATH: dbPath,
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    TEMPORAL_TASK_QUEUE: place.taskQueue,
    WORK_DIR_BASE: path.join(place.dir, 'projects'),
    MAX_ACTIVE_SESSIONS: '1000000',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const main: ChildProcess = spawn(process.execPath, [path.join(__dirname, '..', '..', 'src', 'main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const stop = async (): Promise<void> => {
    main.kill('SIGTERM');
    await new Promise((resolve) => (main.exitCode === null ? main.once('exit', resolve) : resolve(null)));
  };
  try {
    await until('/readyz 200', async () => ((await http('GET', `${base}/readyz`).catch(() => ({ status: 0 }))).status === 200 ? true : null), 120_000, 50);
  } catch (err) {
    await stop();
    throw err;
  }
  return { main, base, startupSeconds: (Date.now() - started) / 1000, stop };
}

/** Seconds from spawning `node dist/src/main.js` on `dbPath` to its first /readyz 200, with `extraEnv`. */
export async function startupSeconds(place: SeedPlace, dbPath: string, extraEnv: Record<string, string>): Promise<number> {
  const running = await spawnMain(place, dbPath, extraEnv);
  await running.stop();
  return running.startupSeconds;
}

/** The value of an unlabelled metric in exposition `text`, or null when the scrape has none. */
function metricValue(text: string, name: string): number | null {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match?.[1] ? Number(match[1]) : null;
}

/** Run `node dist/src/main.js` on `dbPath` and measure it. */
export async function measureMain(place: SeedPlace, dbPath: string, sessions: number, requests: number): Promise<ScaleFigures> {
  const running = await spawnMain(place, dbPath);
  const { main, base, startupSeconds } = running;
  try {
    // The process starts its first metrics collection (a listing of every session) as it starts: the listings are
    // measured once that is over, as a gateway in use serves them.
    await until('the first metrics collection', async () =>
      metricValue((await http('GET', `${base}/metrics`)).text, 'session_metrics_first_collection_seconds') === null ? null : true,
    120_000, 250);
    const list = async (query: string): Promise<number[]> => {
      for (let i = 0; i < 5; i += 1) await http('GET', `${base}/sessions?${query}`);
      const out: number[] = [];
      for (let i = 0; i < requests; i += 1) {
        const [answer, ms] = await timed(() => http('GET', `${base}/sessions?${query}`));
        if (answer.status !== 200) listErrors += 1;
        out.push(ms);
      }
      return out;
    };
    let listErrors = 0;
    const all = await list('limit=100');
    const awaiting = await list('limit=100&status=awaiting_approval');
    const [first, metricsFirstMs] = await timed(() => http('GET', `${base}/metrics`));
    let text = first.text;
    const value = (name: string): number | null => metricValue(text, name);
    // The first collection lists every session; the figure is a later one's, which lists what changed: wait until
    // the figures are younger than the time since the first scrape (the gateway refreshes them every 5 s).
    const firstAnsweredAt = Date.now();
    await until('a collection after the first', async () => {
      text = (await http('GET', `${base}/metrics`)).text;
      const age = value('session_metrics_age_seconds');
      return age !== null && age >= 0 && age * 1000 < Date.now() - firstAnsweredAt ? true : null;
    }, 60_000, 250);
    const scrapes: number[] = [];
    for (let i = 0; i < requests; i += 1) {
      const [answer, ms] = await timed(() => http('GET', `${base}/metrics`));
      scrapes.push(ms);
      text = answer.text;
      await sleep(100);
    }
    const [devServer] = await childPids(main.pid ?? 0);
    return {
      sessions,
      startupSeconds,
      list: samples(all),
      listAwaiting: samples(awaiting),
      listErrors,
      metricsFirstMs: Math.round(metricsFirstMs * 100) / 100,
      metrics: samples(scrapes),
      collectionMs: Math.round((value('session_metrics_collection_seconds') ?? NaN) * 100_000) / 100,
      firstCollectionMs: Math.round((value('session_metrics_first_collection_seconds') ?? NaN) * 100_000) / 100,
      sessionsTotal: value('sessions_total'),
      mainRssMb: await rssMb(main.pid ?? 0),
      devServerRssMb: devServer ? await rssMb(devServer) : NaN,
    };
  } finally {
    await running.stop();
  }
}
