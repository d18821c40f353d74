/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   gateway replies are read as plain JSON (tests/cluster/http.ts). */
/**
 * The production topology without Docker: PostgreSQL, the Temporal server built from source on it, two
 * `node dist/src/worker.js` and two `node dist/src/gateway/server.js` sharing one work directory. QA runs a real
 * command that fails until a bug report exists, so every session's first QA run fails and the second passes.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { Cluster } from './cluster';
import { call, startSession, waitForSession } from './http';
import { QA_FAILS_FIRST_ITERATION } from './qa-command';
import { decisionFailover } from './scenarios/decision-failover';
import { identityOfPid, sessionWorkers } from './worker-identity';

const DERIVED = /^(sessions_total|sessions_active|approvals_total|rejections_total|sessions_by_status|session_metrics_unresolved_sessions|model_tokens_total)[{ ]/;

void describe('cluster: PostgreSQL + Temporal server + 2 workers + 2 gateways', () => {
  let cluster: Cluster;
  let connection: Connection;
  let client: Client;
  const started: string[] = [];
  const [gatewayA, gatewayB] = [0, 1];
  const url = (i: number): string => cluster.gateways[i]!.url;

  before(async () => {
    cluster = await Cluster.start({ workerEnv: { QA_TEST_COMMAND: QA_FAILS_FIRST_ITERATION } });
    console.log(`# cluster started in ${cluster.timings.total} ms: ${JSON.stringify(cluster.timings)}`);
    connection = await Connection.connect({ address: cluster.temporal.address });
    client = new Client({ connection, namespace: 'default' });
  });
  after(async () => {
    await connection?.close();
    await cluster?.close();
  });

  void test('the full REST review loop across both gateways: reject to pm, reject to architect, approve, QA fails then passes', async () => {
    const id = await startSession(url(gatewayA), 'Build a recipe sharing site');
    started.push(id);
    await waitForSession(url(gatewayB), id, (s) => s.status === 'awaiting_approval');

    const toPm = await call(url(gatewayB), 'POST', `/sessions/${id}/reject`, { body: { feedback: 'Users need accounts', reject_to: 'pm', by: 'alice' } });
    assert.equal(toPm.status, 200, toPm.text);
    assert.equal(toPm.json.current_phase, 'pm');
    assert.equal(toPm.json.iteration_count, 1);
    await waitForSession(url(gatewayA), id, (s) => s.status === 'awaiting_approval' && s.iteration_count === 1);

    const toArchitect = await call(url(gatewayA), 'POST', `/sessions/${id}/reject`, { body: { feedback: 'Store images in S3', reject_to: 'architect', by: 'bob' } });
    assert.equal(toArchitect.status, 200, toArchitect.text);
    assert.equal(toArchitect.json.current_phase, 'architect');
    await waitForSession(url(gatewayB), id, (s) => s.status === 'awaiting_approval' && s.iteration_count === 2);

    const approved = await call(url(gatewayB), 'POST', `/sessions/${id}/approve`, { body: { by: 'carol' } });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.current_phase, 'engineer');

    const done = await waitForSession(url(gatewayA), id, (s) => s.status === 'completed', 120_000);
    assert.equal(done.iteration_count, 3, 'two rejections and one QA failure');
    assert.equal(done.qa_passed, true);

    const history = await call(url(gatewayB), 'GET', `/sessions/${id}/history`);
    assert.deepEqual(
      history.json.phases.map((p: { phase: string }) => p.phase),
      ['pm', 'architect', 'review', 'pm', 'architect', 'review', 'architect', 'review', 'engineer', 'qa', 'engineer', 'qa'],
    );
    assert.deepEqual(
      history.json.decisions.map((d: Record<string, unknown>) => [d.decision, d.by, d.reject_to]),
      [['reject', 'alice', 'pm'], ['reject', 'bob', 'architect'], ['approve', 'carol', null]],
    );
    const log = (await call(url(gatewayA), 'GET', `/sessions/${id}/logs?lines=500`)).text;
    assert.match(log, /\[review\] Rejected to pm[^:]*: Users need accounts/);
    assert.match(log, /\[review\] Rejected to architect[^:]*: Store images in S3/);
    assert.match(log, /\[qa\] QA failed: test command exited with 1[\s\S]*\[qa\] QA passed/);
    const prdA = await call(url(gatewayA), 'GET', `/sessions/${id}/artifacts/prd`);
    const prdB = await call(url(gatewayB), 'GET', `/sessions/${id}/artifacts/prd`);
    assert.equal(prdA.status, 200);
    assert.equal(prdA.text, prdB.text, 'both gateways read the shared work directory');
    assert.match(prdA.text, /Users need accounts/);

    const workers = await sessionWorkers(client, id);
    console.log(`# review loop ${id}: activities by worker ${JSON.stringify(tally(workers.activities.map((a) => a.identity)))}`);
  });

  void test('a decision sent to gateway A is accepted by worker B, the worker that holds the session', async () => {
    const host = os.hostname();
    const workerB = identityOfPid(cluster.workers[1]!.pid, host);
    let chosen: string | null = null;
    for (let batch = 0; batch < 4 && !chosen; batch += 1) {
      const ids = await Promise.all([0, 1, 2, 3].map((n) => startSession(url(gatewayB), `Build a kanban board ${batch}.${n}`)));
      started.push(...ids);
      for (const id of ids) await waitForSession(url(gatewayA), id, (s) => s.status === 'awaiting_approval');
      for (const id of ids) {
        const { activities } = await sessionWorkers(client, id);
        if (!chosen && activities.at(-1)?.identity === workerB) chosen = id;
        else await call(url(gatewayB), 'POST', `/sessions/${id}/approve`);
      }
    }
    assert.ok(chosen, 'in 16 sessions, some last activity ran on worker B');
    const approved = await call(url(gatewayA), 'POST', `/sessions/${chosen}/approve`, { body: { by: 'via-gateway-a' } });
    assert.equal(approved.status, 200, approved.text);
    await waitForSession(url(gatewayA), chosen, (s) => s.status === 'completed', 120_000);
    const workers = await sessionWorkers(client, chosen);
    console.log(`# ${chosen}: decision via gateway A accepted by ${workers.updates[0]?.identity} (worker B is ${workerB}); activities ${JSON.stringify(workers.activities)}`);
    assert.equal(workers.updates.length, 1);
    assert.equal(workers.updates[0]!.name, 'approve');
    const afterDecision = workers.activities.filter((a) => a.type === 'engineer' || a.type === 'qa');
    assert.ok(afterDecision.length >= 2, 'engineer and QA ran after the decision');
    assert.ok(
      workers.updates[0]!.identity === workerB || afterDecision.some((a) => a.identity === workerB),
      'worker B took part in applying the decision that arrived through gateway A',
    );
  });

  void test('a gateway killed -9 with a decision in flight: the retry with the same Idempotency-Key on the other gateway applies it exactly once', async () => {
    const trials = await decisionFailover(cluster, 2);
    started.push(...trials.map((t) => t.sessionId));
    console.log(`# decision failover: ${JSON.stringify(trials)}`);
    for (const trial of trials) {
      assert.equal(trial.retryStatus, 200, JSON.stringify(trial));
      assert.equal(trial.approvals, 1, `applied exactly once: ${JSON.stringify(trial)}`);
      assert.equal(trial.secondDecisionStatus, 409, 'a later decision finds it already decided');
    }
    const admitted = trials.find((t) => t.mode === 'admitted');
    assert.equal(admitted?.admittedBeforeKill, true, 'the decision was inside Temporal when its gateway died');
    assert.equal(admitted?.victimStatus, null, 'the killed gateway never answered');
  });

  void test('/metrics: the derived session figures are identical on both gateways', async () => {
    for (const id of started) await waitForSession(url(gatewayA), id, (s) => s.status === 'completed', 120_000);
    const derived = async (i: number): Promise<string[]> =>
      (await call(url(i), 'GET', '/metrics')).text.split('\n').filter((line) => DERIVED.test(line));
    let a: string[] = [];
    let b: string[] = [];
    const expectedTotal = `sessions_total ${started.length}`;
    const deadline = Date.now() + 30_000;
    // Each gateway reuses its figures for 5 s; wait until both have read them after the last session ended.
    while (Date.now() < deadline) {
      [a, b] = await Promise.all([derived(gatewayA), derived(gatewayB)]);
      if (a.includes(expectedTotal) && b.includes(expectedTotal) && a.includes('sessions_active 0') && b.includes('sessions_active 0')) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    console.log(`# derived metrics on gateway A:\n${a.map((line) => `#   ${line}`).join('\n')}`);
    assert.ok(a.includes(expectedTotal), `gateway A counts the ${started.length} sessions: ${a.join('; ')}`);
    assert.deepEqual(b, a, 'gateway B reports the same derived figures');
    assert.ok(a.includes(`sessions_by_status{status="completed"} ${started.length}`));
  });
});

function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
