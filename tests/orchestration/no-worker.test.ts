import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { SessionHarness } from '../helpers/session-harness';

test('status and list need no running worker', async () => {
  const harness = await SessionHarness.start({ worker: false, config: { maxActiveSessions: 10_000 } });
  try {
    const { orchestrator } = harness;
    const pending = await orchestrator.startNewSession('Build a feed reader', 'no-worker-project');
    const info = await orchestrator.getSessionStatus(pending);
    assert.equal(info.status, SessionStatus.PENDING, 'started, no phase picked up yet');
    assert.equal(info.currentPhase, 'pm');
    assert.equal(info.userMission, 'Build a feed reader');
    assert.equal(info.projectName, 'no-worker-project');
    assert.equal(await orchestrator.isRunning(pending), false);

    await harness.startWorker();
    await harness.waitForStatus(pending, SessionStatus.AWAITING_APPROVAL);
    await harness.stopWorker();

    const inReview = await orchestrator.getSessionStatus(pending);
    assert.equal(inReview.status, SessionStatus.AWAITING_APPROVAL);
    assert.equal(inReview.currentPhase, 'review');
    const second = await orchestrator.startNewSession('Build a second feed reader', 'no-worker-project');

    let listed: string[] = [];
    for (let attempt = 0; attempt < 50; attempt += 1) {
      listed = (await orchestrator.listSessionPage({ project: 'no-worker-project' })).sessions.map((s) => s.sessionId);
      if (listed.length === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(listed, [second, pending], 'newest first, both found without a worker');
    const reviewing = await orchestrator.listSessionPage({ project: 'no-worker-project', status: SessionStatus.AWAITING_APPROVAL });
    assert.deepEqual(reviewing.sessions.map((s) => s.sessionId), [pending]);
    assert.equal((await orchestrator.getSessionStatus(second)).status, SessionStatus.PENDING);
  } finally {
    await harness.close();
  }
});
