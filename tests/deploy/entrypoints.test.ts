import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { Orchestrator, SessionStatus } from '../../src/orchestration/orchestrator';
import { projectRoot } from '../../src/temporal/binaries';
import { freePort } from '../helpers/free-port';
import { SearchAttributeKeys } from '../../workflows/definitions';
import { sharedTestServer } from '../helpers/test-server';

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Run a compiled entry point as the container does: `node dist/src/<entry>` with only the given settings. */
function runEntry(entry: string, env: Record<string, string>, args: string[] = []): Run {
  const { TEMPORAL_ADDRESS: _a, TEMPORAL_NAMESPACE: _n, TEMPORAL_TASK_QUEUE: _q, ...rest } = process.env;
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'src', entry), ...args], { env: { ...rest, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

void describe('the container entry points, run as compose runs them, against the real dev server', () => {
  let address: string;
  let connection: Connection;
  before(async () => {
    address = (await sharedTestServer()).address;
    connection = await Connection.connect({ address });
  });
  after(() => connection.close());

  void test('setup-namespace registers a missing namespace with the search attributes and retention, idempotently; the skip flag skips', async () => {
    const namespace = `setup-${randomUUID().slice(0, 8)}`;
    const first = runEntry('temporal/setup-namespace.js', { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, SESSION_RETENTION_DAYS: '3' });
    assert.equal(await first.exited, 0, first.output());
    assert.match(first.output(), /"msg":"namespace registered"/);
    const described = await connection.workflowService.describeNamespace({ namespace });
    assert.equal(Number(described.config?.workflowExecutionRetentionTtl?.seconds), 3 * 86_400);
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    for (const key of Object.values(SearchAttributeKeys)) assert.ok(key.name in (customAttributes ?? {}), key.name);

    const again = runEntry('temporal/setup-namespace.js', { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, SESSION_RETENTION_DAYS: '3' });
    assert.equal(await again.exited, 0, again.output());
    assert.match(again.output(), /"searchAttributesAdded":\[\]/);
    assert.doesNotMatch(again.output(), /namespace registered/);

    const missing = `skipped-${randomUUID().slice(0, 8)}`;
    const skipped = runEntry('temporal/setup-namespace.js', { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: missing, TEMPORAL_SKIP_NAMESPACE_SETUP: 'true' });
    assert.equal(await skipped.exited, 0, skipped.output());
    assert.match(skipped.output(), /namespace set-up skipped/);
    await assert.rejects(connection.workflowService.describeNamespace({ namespace: missing }), 'nothing was created');
  });

  void test('the worker loads the prebuilt bundle, refreshes its health file while it runs, runs sessions, and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-worker-'));
    await chmod(dir, 0o755); // generated code runs as an unprivileged user, who must reach the work directory
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    const build = runEntry('temporal/bundle-workflows.js', {}, [bundlePath]);
    assert.equal(await build.exited, 0, build.output());

    const taskQueue = `entry-${randomUUID()}`;
    const healthFile = path.join(dir, 'worker-healthy');
    const workDirBase = path.join(dir, 'projects');
    const worker = runEntry('worker.js', { TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: taskQueue, WORK_DIR_BASE: workDirBase, WORKFLOW_BUNDLE_PATH: bundlePath, WORKER_HEALTH_FILE: healthFile });
    const orchestrator = new Orchestrator({ temporalAddress: address, taskQueue, workDirBase, maxActiveSessions: 10_000 });
    try {
      await until(() => /"msg":"worker started"/.test(worker.output()) || worker.child.exitCode !== null, 'the worker to start');
      assert.match(worker.output(), /"prebuiltBundle":true/, worker.output());
      assert.doesNotMatch(worker.output(), /Workflow bundle created/, 'no webpack run at start-up');
      await until(() => stat(healthFile).then(() => true, () => false), 'the health file');

      const id = await orchestrator.startNewSession('Build a stopwatch', 'entry-points');
      await until(async () => (await orchestrator.getSessionStatus(id)).status === SessionStatus.AWAITING_APPROVAL, 'the session to reach review');
      const before = (await stat(healthFile)).mtimeMs;
      await until(async () => (await stat(healthFile)).mtimeMs > before, 'the health file to be refreshed', 10_000);

      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.output().slice(-2_000));
      await assert.rejects(stat(healthFile), 'a stopped worker leaves no health file behind');
    } finally {
      worker.child.kill('SIGKILL');
      await orchestrator.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
  void test('the gateway process finishes an in-flight request on SIGTERM, then exits cleanly', async () => {
    const taskQueue = `no-worker-${randomUUID()}`;
    const port = await freePort();
    const gateway = runEntry('gateway/server.js', {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: String(port),
      MAX_ACTIVE_SESSIONS: '10000',
      GATEWAY_DECISION_TIMEOUT_MS: '2000',
    });
    try {
      await until(() => /"msg":"gateway listening"/.test(gateway.output()) || gateway.child.exitCode !== null, 'the gateway to listen');
      assert.match(gateway.output(), /"host":"127.0.0.1"/, 'no token: loopback only');
      const created = await fetch(`http://127.0.0.1:${port}/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_mission: 'Build a graceful thing' }),
      });
      assert.equal(created.status, 201);
      const { session_id: id } = (await created.json()) as { session_id: string };
      // No worker serves this task queue, so the decision stays in flight until the decision timeout.
      const inFlight = fetch(`http://127.0.0.1:${port}/sessions/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      await sleep(300);
      gateway.child.kill('SIGTERM');
      const response = await inFlight;
      assert.equal(response.status, 503, 'the in-flight request was answered, not dropped');
      assert.equal(await gateway.exited, 0, gateway.output().slice(-2_000));
      assert.match(gateway.output(), /"msg":"gateway stopped"/);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'no longer listening');
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });
});
