import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { Orchestrator, SessionStatus } from '../../src/orchestration/orchestrator';
import { findTestServer } from '../../src/temporal/binaries';
import { registerSearchAttributes } from '../../src/temporal/namespace';
import { getStateQuery, SESSION_WORKFLOW_TYPE } from '../../workflows/definitions';
import { resolveConfig } from '../../src/config';
import { newSessionId, sessionStartOptions } from '../../src/orchestration/session-start';
import type { sessionWorkflow } from '../../workflows/session';
import { sharedTestServer } from '../helpers/test-server';

test('a review nobody decides expires after sessionTtlDays (2 days here; time-skipping server)', async () => {
  const { bundlePath } = await sharedTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: findTestServer() } },
  });
  // The test server implements adding search attributes but not listing them, so no prepareNamespace here.
  await registerSearchAttributes(env.connection, 'default');
  const workDirBase = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-ttl-'));
  const taskQueue = 'ttl-test';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities: createActivities(),
    workflowBundle: { codePath: bundlePath },
  });
  const orchestrator = new Orchestrator({ taskQueue, workDirBase }, { connection: env.connection });
  try {
    await worker.runUntil(async () => {
      // The time-skipping server has no Count API, which startNewSession's capacity check uses, so the session
      // is started with exactly the options startNewSession builds from this configuration.
      const config = resolveConfig({ taskQueue, workDirBase, sessionTtlDays: 2 }, {});
      const id = newSessionId();
      const started = await env.client.workflow.start<typeof sessionWorkflow>(
        SESSION_WORKFLOW_TYPE,
        sessionStartOptions(config, id, { mission: 'Build something nobody reviews', project: 'ttl' }, false),
      );
      const handle = started;
      for (let i = 0; i < 200 && (await handle.query(getStateQuery)).status !== SessionStatus.AWAITING_APPROVAL; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await handle.query(getStateQuery)).status, SessionStatus.AWAITING_APPROVAL);

      await env.sleep('47 hours');
      assert.equal((await handle.query(getStateQuery)).status, SessionStatus.AWAITING_APPROVAL, 'still in review before the TTL');

      const final = await handle.result();
      assert.equal(final.status, SessionStatus.EXPIRED);
      assert.equal(final.phase, 'review', 'an expired session keeps the review phase');
      const ended = final.events.find((event) => event.kind === 'session_ended');
      const reviewStarted = final.events.find((event) => event.kind === 'phase_started' && event.phase === 'review');
      const waitedHours = (Date.parse(ended?.at ?? '') - Date.parse(reviewStarted?.at ?? '')) / 3_600_000;
      assert.ok(waitedHours >= 48 && waitedHours < 48.1, `expired after ${waitedHours} h of review, not 48`);
      const info = await orchestrator.getSessionStatus(id);
      assert.equal(info.status, SessionStatus.EXPIRED);
      assert.equal(info.currentPhase, 'review');
    });
  } finally {
    await orchestrator.close();
    await env.teardown();
    await rm(workDirBase, { recursive: true, force: true });
  }
});
