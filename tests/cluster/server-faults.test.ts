/**
 * The Temporal server killed -9 and PostgreSQL crashed, each restarted on the same database, on the production
 * topology with two fault workers (activities pause after their work, so the faults land mid-phase). Short forms;
 * `npm run chaos` runs more trials.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Cluster } from './cluster';
import { assertAllWhole, totals } from './fault-verdicts';
import { postgresRestarts, temporalServerKills } from './scenarios/server-faults';
import { EXPECTED_ITERATIONS, WORKER_KILL_ENV } from './scenarios/worker-kills';

void describe('cluster faults: the Temporal server and PostgreSQL', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start({ workerEntry: 'fault', workerEnv: WORKER_KILL_ENV });
    console.log(`# fault cluster started in ${cluster.timings.total} ms`);
  });
  after(() => cluster?.close());

  void test('kill -9 of the Temporal server mid-phase and in review, restarted on the same database: the sessions resume', async () => {
    const report = await temporalServerKills(cluster, 1);
    console.log(`# Temporal server kills: ${JSON.stringify(totals(report.verdicts, report.lost, EXPECTED_ITERATIONS))}, outage ${JSON.stringify(report.outageMs)} ms, in ${report.durationMs} ms`);
    assertAllWhole(report.verdicts, report.lost, EXPECTED_ITERATIONS);
  });

  void test('PostgreSQL crashed and restarted under load: gateways answer 503 (JSON) or succeed meanwhile, recover, no session lost', async () => {
    const report = await postgresRestarts(cluster, { trials: 1, downMs: 8_000, sessionsPerTrial: 3 });
    console.log(
      `# PostgreSQL restart: ${JSON.stringify(totals(report.verdicts, report.lost, EXPECTED_ITERATIONS))}; answers during the outage ${JSON.stringify(report.duringOutage)}; ` +
        `recovery per gateway ${JSON.stringify(report.recoveryMs)} ms; ${report.startedDuringOutage} starts sent during the outage; in ${report.durationMs} ms`,
    );
    assert.deepEqual(report.badAnswers, [], 'only 200/201 or 503 with a JSON error during the outage');
    assert.ok((report.duringOutage['503'] ?? 0) > 0, 'some requests met the outage (503)');
    assertAllWhole(report.verdicts, report.lost, EXPECTED_ITERATIONS);
  });
});
