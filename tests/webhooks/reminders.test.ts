import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { type OrchestratorConfig, resolveConfig } from '../../src/config';
import { newSessionId, sessionStartOptions } from '../../src/orchestration/session-start';
import { findTestServer } from '../../src/temporal/binaries';
import { registerSearchAttributes } from '../../src/temporal/namespace';
import { getStateQuery, SESSION_WORKFLOW_TYPE, SessionStatus } from '../../workflows/definitions';
import type { sessionWorkflow } from '../../workflows/session';
import { sharedTestServer } from '../helpers/test-server';
import { WebhookReceiver } from './receiver';

/**
 * One session on the time-skipping server whose webhooks go to `receiver`, with a worker that delivers to it; `body`
 * drives it. The session is started with exactly the options startNewSession builds (the test server has no Count API).
 */
async function onTimeSkippingServer(
  receiver: WebhookReceiver,
  settings: Partial<OrchestratorConfig>,
  body: (env: TestWorkflowEnvironment, id: string, handle: WorkflowHandle<typeof sessionWorkflow>) => Promise<void>,
): Promise<void> {
  const { bundlePath } = await sharedTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: findTestServer() } } });
  await registerSearchAttributes(env.connection, 'default');
  const workDirBase = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-webhooks-'));
  const taskQueue = 'webhooks-time-skipping';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities: createActivities({}, { config: resolveConfig({ webhookUrls: receiver.url }, {}) }),
    workflowBundle: { codePath: bundlePath },
  });
  try {
    await worker.runUntil(async () => {
      const config = resolveConfig({ taskQueue, workDirBase, webhookUrls: receiver.url, ...settings }, {});
      const id = newSessionId();
      const handle = await env.client.workflow.start<typeof sessionWorkflow>(
        SESSION_WORKFLOW_TYPE,
        sessionStartOptions(config, id, { mission: 'Build something nobody reviews', project: 'webhooks' }, false),
      );
      await body(env, id, handle);
    });
  } finally {
    await env.teardown();
    await rm(workDirBase, { recursive: true, force: true });
  }
}

test('a review nobody decides sends review.reminder every REVIEW_REMIND_AFTER_SECONDS until it expires (time-skipping server)', async () => {
  const receiver = new WebhookReceiver(null);
  await receiver.start();
  try {
    // Four hours of review with a reminder every hour: review.requested, three reminders, then the expiry.
    await onTimeSkippingServer(receiver, { sessionTtlDays: 4 / 24, reviewRemindAfterSeconds: 3600 }, async (_env, id, handle) => {
      const final = await handle.result();
      assert.equal(final.status, SessionStatus.EXPIRED);
      await receiver.waitFor(id, 'session.expired', 60_000);
      const received = receiver.of(id);
      assert.deepEqual(
        received.map((r) => r.body.type),
        ['review.requested', 'review.reminder', 'review.reminder', 'review.reminder', 'session.expired'],
      );
      const hours = received.map((r) => (Date.parse(r.body.timestamp) - Date.parse(received[0]!.body.timestamp)) / 3_600_000);
      assert.deepEqual(hours.map((h) => Math.round(h)), [0, 1, 2, 3, 4], `hours after the request: ${hours.join(', ')}`);
      assert.equal((await handle.query(getStateQuery)).reviewRound, 1);
    });
  } finally {
    await receiver.stop();
  }
});

test('a receiver down for an hour still gets the review request, once, when it is back (time-skipping server)', async () => {
  const receiver = new WebhookReceiver(null);
  await receiver.start();
  await receiver.stop();
  try {
    await onTimeSkippingServer(receiver, {}, async (env, id, handle) => {
      for (let i = 0; i < 200 && (await handle.query(getStateQuery)).status !== SessionStatus.AWAITING_APPROVAL; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await env.sleep('1 hour');
      assert.equal(receiver.of(id).length, 0, 'nothing could arrive while it was down');
      await receiver.start();
      // Retries are at most 5 minutes apart: skip to the next one (time skips only while the test asks it to).
      await env.sleep('6 minutes');
      const requested = await receiver.waitFor(id, 'review.requested', 60_000);
      const late = (await env.currentTimeMs()) - Date.parse(requested.body.timestamp);
      console.log(`webhooks: receiver down 1 h (server time); review.requested delivered ${(late / 60_000).toFixed(0)} min after the event`);
      assert.equal(receiver.of(id).filter((r) => r.body.type === 'review.requested').length, 1, 'once');
    });
  } finally {
    await receiver.stop();
  }
});
