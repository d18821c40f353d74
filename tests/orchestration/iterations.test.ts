import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runEngineer, runQa } from '../helpers/agents';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { ARTIFACT_PATHS, type AgentInput, type QaResult } from '../../workflows/definitions';
import { SessionHarness } from '../helpers/session-harness';

/** A QA that fails its first `failures` runs (writing a real failing report), then defers to the template QA. */
function flakyQa(failures: number): { qa: (input: AgentInput) => Promise<QaResult>; inputs: AgentInput[] } {
  const inputs: AgentInput[] = [];
  return {
    inputs,
    qa: async (input) => {
      inputs.push(input);
      const result = await runQa(input);
      if (inputs.length > failures) return result;
      return { ...result, passed: false, summary: `simulated failure ${inputs.length}` };
    },
  };
}

describe('iterations: QA retries and the maxIterations limit', () => {
  test('QA failure sends the session back to the engineer with the bug report, and a retry passes', async () => {
    const qa = flakyQa(1);
    const engineerInputs: AgentInput[] = [];
    const harness = await SessionHarness.start({
      activities: {
        qa: qa.qa,
        engineer: async (input) => {
          engineerInputs.push(input);
          return runEngineer(input);
        },
      },
    });
    try {
      const id = await harness.orchestrator.startNewSession('Build a CSV to JSON converter');
      await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await harness.orchestrator.approveAndContinue(id);
      const done = await harness.waitForStatus(id, SessionStatus.COMPLETED);
      assert.equal(done.iterationCount, 1, 'the QA retry used one iteration');
      assert.equal(done.qaPassed, true);
      assert.equal(qa.inputs.length, 2);
      assert.equal(engineerInputs.length, 2);
      assert.equal(engineerInputs[0]?.bugReport, null);
      assert.equal(engineerInputs[1]?.bugReport?.path, ARTIFACT_PATHS.bug_report, 'the engineer got the bug report');
      const events = (await harness.state(id)).events;
      assert.ok(events.some((event) => event.kind === 'qa_failed' && event.summary === 'simulated failure 1'));
    } finally {
      await harness.close();
    }
  });

  test('maxIterations reached by rejections: the reject that would exceed it returns a failed session', async () => {
    const harness = await SessionHarness.start({ config: { maxIterations: 2 } });
    try {
      const { orchestrator } = harness;
      const id = await orchestrator.startNewSession('Build a pomodoro timer');
      for (let round = 1; round <= 2; round += 1) {
        await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
        const info = await orchestrator.rejectAndIterate(id, `round ${round}: not yet`, round === 1 ? 'pm' : 'architect');
        assert.equal(info.iterationCount, round);
        assert.equal(info.status, SessionStatus.RUNNING);
      }
      await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      const failed = await orchestrator.rejectAndIterate(id, 'round 3: still not right');
      assert.equal(failed.status, SessionStatus.FAILED);
      assert.equal(failed.currentPhase, 'review', 'a failed session keeps the phase it failed in');
      assert.equal(failed.iterationCount, 2);
      const seen = await harness.waitForStatus(id, SessionStatus.FAILED);
      assert.equal(seen.currentPhase, 'review');
      const handle = harness.client.workflow.getHandle(id);
      await assert.rejects(handle.result(), (err: Error) => /rejected with 2 of 2 iterations used/.test(String(err.cause)));
      assert.equal((await handle.describe()).status.name, 'FAILED', 'the workflow execution itself failed');
    } finally {
      await harness.close();
    }
  });

  test('maxIterations reached by QA retries: the session fails in qa and keeps QA result and report', async () => {
    const qa = flakyQa(Number.POSITIVE_INFINITY);
    const harness = await SessionHarness.start({ config: { maxIterations: 1 }, activities: { qa: qa.qa } });
    try {
      const id = await harness.orchestrator.startNewSession('Build a password generator');
      await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await harness.orchestrator.approveAndContinue(id);
      const failed = await harness.waitForStatus(id, SessionStatus.FAILED);
      assert.equal(failed.currentPhase, 'qa');
      assert.equal(failed.qaPassed, false);
      assert.equal(failed.iterationCount, 1);
      assert.equal(qa.inputs.length, 2, 'one retry, then the limit');
      const report = await readFile(path.join(failed.workDir, ARTIFACT_PATHS.bug_report), 'utf8');
      assert.match(report, /Bug Report/);
      assert.match(await harness.orchestrator.getRecentLogs(id), /Session failed: QA failed with 1 of 1 iterations used/);
    } finally {
      await harness.close();
    }
  });
});

describe('iterations with a shared worker', () => {
  let harness: SessionHarness;
  before(async () => {
    harness = await SessionHarness.start({ config: { maxIterations: 0 } });
  });
  after(() => harness.close());

  test('maxIterations 0: the first rejection fails the session', async () => {
    const id = await harness.orchestrator.startNewSession('Build a dice roller');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const failed = await harness.orchestrator.rejectAndIterate(id, 'no');
    assert.equal(failed.status, SessionStatus.FAILED);
    assert.equal(failed.iterationCount, 0);
  });
});
