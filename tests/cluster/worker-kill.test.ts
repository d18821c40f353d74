/**
 * kill -9 of a worker in each phase, on the production topology, with two fault workers (tests/cluster/fault-worker.ts:
 * the real activities, each pausing after its work, so a kill lands after a phase wrote its files and log lines
 * but before Temporal has its result). Short form; `npm run chaos` runs more sessions and kills.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Cluster } from './cluster';
import { assertAllWhole, totals } from './fault-verdicts';
import { EXPECTED_ITERATIONS, WORKER_KILL_ENV, type WorkerKillReport, workerKills } from './scenarios/worker-kills';

void describe('cluster faults: workers killed -9 mid-phase', () => {
  let cluster: Cluster;
  let report: WorkerKillReport;
  before(async () => {
    cluster = await Cluster.start({ workerEntry: 'fault', workerEnv: WORKER_KILL_ENV });
    console.log(`# fault cluster started in ${cluster.timings.total} ms`);
  });
  after(() => cluster?.close());

  void test('a kill in each phase: every session completes, no duplicated log line, the files are what the workflow recorded, right iteration count', async () => {
    report = await workerKills(cluster, { sessions: 6, killsPerPhase: 1 });
    console.log(`# worker kills: ${JSON.stringify(report.kills)}`);
    console.log(`# worker kills: ${JSON.stringify(totals(report.verdicts, report.lost, EXPECTED_ITERATIONS))} in ${report.durationMs} ms`);
    for (const v of report.verdicts) if (v.status !== 'completed' || v.iterationCount !== EXPECTED_ITERATIONS || v.duplicatedLines.length || v.extraRevisions.length) console.log(`# ${JSON.stringify(v)}`);
    assert.deepEqual(report.kills.map((k) => k.phase).sort(), ['architect', 'engineer', 'pm', 'qa']);
    assertAllWhole(report.verdicts, report.lost, EXPECTED_ITERATIONS);
  });

  void test('a killed attempt leaves no earlier revision of its own under docs/history (its retry replaces what it wrote)', () => {
    assert.ok(report, 'the kill test ran');
    assert.deepEqual(report.verdicts.flatMap((v) => v.extraRevisions), []);
  });
});
