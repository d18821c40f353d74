/**
 * `npm run bench [-- --quick] [-- --data DIR] [-- --skip-scale]`: every figure of issue 13 in one run, printed
 * as it is measured and written to docs/benchmarks.md with the raw JSON beside it (`--quick`: smoke sizes, written
 * to a temporary directory unless `--out DIR`; `npm test` runs it and asserts nothing about the figures).
 *
 * Seeded databases (sessions waiting in review) are kept under `--data` (default: $TMPDIR/orchestrator-bench)
 * and reused by later runs; the report says whether they were and how long seeding took.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../helpers/free-port';
import { prepareNamespace } from '../../src/temporal/namespace';
import { Connection } from '@temporalio/client';
import { bundleWorkflowsToFile } from '../helpers/test-server';
import { http, progress } from './bench-kit';
import { goalsOf, type BenchFigures } from './goals';
import { currentCommit, writeReport } from './report';
import { measureMain, seed, startupSeconds } from './scale';
import { countingConnection, sseViewers } from './sse-viewers';
import { apiLane, bareLane, gatewayLane, interleavedRoundTrips, noopActivities, readLatency, sessionsPerSecond, templateActivities } from './throughput';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const started = new Date();
  const commit = currentCommit();
  const loadAtStart = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-bench-run-'));
  // Template agents run children as an unprivileged user, who must be able to reach the work directories.
  await chmod(tmp, 0o755);
  const sizes = quick
    ? { concurrency: [[1, 2], [2, 4]] as [number, number][], trips: 3, reads: 50, sseWindowMs: 1_000, waiting: [20, 50], requests: 5 }
    : { concurrency: [[1, 10], [10, 60], [20, 100]] as [number, number][], trips: 30, reads: 300, sseWindowMs: 10_000, waiting: [1_000, 10_000], requests: 40 };
  const figures: BenchFigures = { quick, throughput: {}, startToReview: {}, roundTrips: {}, reads: null, sse: null, seeding: [], scale: [] };
  const bundlePath = await bundleWorkflowsToFile(tmp);
  try {
    progress('throughput: starting an in-memory dev server, three workers and two gateways');
    const server = await startDevServer({ port: await freePort(), uiPort: null, dbPath: null });
    const setup = await Connection.connect({ address: server.address });
    await prepareNamespace(setup, 'default', 1);
    await setup.close();
    const counting = await countingConnection(server.address);
    const template = await gatewayLane('template', server.address, bundlePath, tmp, templateActivities());
    const noop = await gatewayLane('noop', server.address, bundlePath, tmp, noopActivities(), counting.connection);
    const bare = await bareLane(server.address);
    const noopApi = await apiLane(noop, server.address);
    try {
      for (const [concurrency, count] of sizes.concurrency) {
        for (const lane of [bare, noopApi, noop, template]) {
          const result = await sessionsPerSecond(lane, concurrency, count);
          (figures.throughput[lane.name] ??= {})[concurrency] = result.perSecond;
          if (concurrency === sizes.concurrency[0]?.[0]) figures.startToReview[lane.name] = result.toReview;
          progress(`${lane.name}, ${concurrency} at a time: ${result.perSecond} sessions/s; start → review p50 ${result.toReview.p50} ms`);
        }
      }
      const decide = (base: string, id: string, path: string, body: unknown) => async (): Promise<void> => {
        const answer = await http('POST', `${base}/sessions/${id}/${path}`, body);
        if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${answer.text}`);
      };
      const inReview = () => noop.inReview();
      const ended = (id: string) => noop.closed(id);
      const reviewedAgain = (id: string) => noop.inRound(id, 2);
      figures.roundTrips = await interleavedRoundTrips(sizes.trips, {
        approveGateway: { prepare: inReview, decide: (id) => decide(noop.base, id, 'approve', {})(), settle: ended },
        approveApi: { prepare: inReview, decide: async (id) => void (await noop.orchestrator.approveAndContinue(id)), settle: ended },
        approveBare: { prepare: () => bare.inReview(), decide: (id) => bare.approve(id), settle: (id) => bare.closed(id) },
        rejectGateway: { prepare: inReview, decide: (id) => decide(noop.base, id, 'reject', { feedback: 'More detail' })(), settle: reviewedAgain },
        rejectApi: { prepare: inReview, decide: async (id) => void (await noop.orchestrator.rejectAndIterate(id, 'More detail')), settle: reviewedAgain },
      });
      progress(`round trips: ${JSON.stringify(figures.roundTrips)}`);
      const reviewed = await noop.inReview();
      figures.reads = await readLatency(noop, reviewed, sizes.reads);
      progress(`GET /sessions/{id}: ${JSON.stringify(figures.reads)}`);
      figures.sse = await sseViewers(noop.base, reviewed, counting.calls, sizes.sseWindowMs);
    } finally {
      for (const lane of [noopApi, template, noop, bare]) await lane.close();
      await counting.connection.close();
      await server.stop();
    }

    if (!process.argv.includes('--skip-scale')) {
      const dir = option('--data') ?? path.join(os.tmpdir(), quick ? `orchestrator-bench-quick-${randomUUID()}` : 'orchestrator-bench');
      await mkdir(dir, { recursive: true });
      const place = { dir, taskQueue: 'bench-waiting', bundlePath };
      let previous: string | null = null;
      for (const sessions of sizes.waiting) {
        const seeded = await seed(place, sessions, previous);
        figures.seeding.push(seeded.report);
        progress(`seeded ${sessions}: ${JSON.stringify(seeded.report)}`);
        previous = seeded.dbPath;
        const measured = await measureMain(place, seeded.dbPath, sessions, sizes.requests);
        figures.scale.push(measured);
        progress(`${sessions} waiting: ${JSON.stringify(measured)}`);
      }
      if (previous) {
        const prebuilt = path.join(tmp, 'workflow-bundle.js');
        figures.startupPrebuiltSeconds = await startupSeconds(place, previous, { WORKFLOW_BUNDLE_PATH: prebuilt });
        progress(`start-up with a prebuilt bundle: ${figures.startupPrebuiltSeconds} s`);
      }
      if (quick) await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const { goals, details } = goalsOf(figures);
  for (const row of goals) console.log(`${row.figure}: ${row.measured} (goal ${row.goal}) ${row.met === null ? 'not measured' : row.met ? 'met' : 'MISSED'}`);
  const out = option('--out') ?? (quick ? tmp + '-report' : path.join(__dirname, '..', '..', '..', 'docs'));
  await mkdir(out, { recursive: true });
  const command = `npm run bench${quick ? ' -- --quick' : ''}`;
  const written = await writeReport(out, { command, quick, startedAt: started, seconds: (Date.now() - started.getTime()) / 1000, commit, loadAtStart }, goals, details, figures);
  console.log(`# written: ${written}`);
  if (quick && !option('--out')) await rm(out, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
