import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Context } from '@temporalio/activity';
import { InvalidOperationError, SessionStatus } from '../../src/orchestration/orchestrator';
import type { PhaseResult } from '../../workflows/definitions';
import { SessionHarness } from '../helpers/session-harness';

test('cancel while an agent phase runs: the activity is cancelled and the session ends cancelled', async () => {
  let started = false;
  let cancelled = false;
  const harness = await SessionHarness.start({
    activities: {
      pm: async (): Promise<PhaseResult> => {
        started = true;
        try {
          for (;;) {
            Context.current().heartbeat();
            await Context.current().sleep(100);
          }
        } catch (err) {
          cancelled = true;
          throw err;
        }
      },
    },
  });
  try {
    const id = await harness.orchestrator.startNewSession('Build something that takes forever');
    await harness.waitForStatus(id, SessionStatus.RUNNING);
    for (let i = 0; i < 500 && !started; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(started, true, 'the slow pm activity started');
    assert.equal(await harness.orchestrator.isRunning(id), true);

    const info = await harness.orchestrator.cancelSession(id);
    assert.equal(info.status, SessionStatus.CANCELLED);
    assert.equal(info.currentPhase, 'pm');
    assert.equal(await harness.orchestrator.isRunning(id), false);
    for (let i = 0; i < 100 && !cancelled; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(cancelled, true, 'the running activity saw the cancellation');
    const description = await harness.client.workflow.getHandle(id).describe();
    assert.equal(description.status.name, 'CANCELLED');
    await assert.rejects(harness.orchestrator.cancelSession(id), InvalidOperationError);
  } finally {
    await harness.close();
  }
});

test('cancel while in review: the session ends cancelled in review and decisions are refused', async () => {
  const harness = await SessionHarness.start();
  try {
    const id = await harness.orchestrator.startNewSession('Build a recipe planner');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const info = await harness.orchestrator.cancelSession(id);
    assert.equal(info.status, SessionStatus.CANCELLED);
    assert.equal(info.currentPhase, 'review');
    await assert.rejects(harness.orchestrator.approveAndContinue(id), InvalidOperationError);
    assert.match(await harness.orchestrator.getRecentLogs(id), /\[review\] Session cancelled/);
  } finally {
    await harness.close();
  }
});
