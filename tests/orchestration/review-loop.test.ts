import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { runArchitect, runPm } from '../helpers/agents';
import { InvalidOperationError, SessionStatus } from '../../src/orchestration/orchestrator';
import { approveSignal } from '../../workflows/definitions';
import { gate, SessionHarness } from '../helpers/session-harness';

describe('the review gate on the real server', () => {
  let harness: SessionHarness;
  before(async () => {
    harness = await SessionHarness.start();
  });
  after(() => harness.close());

  test('approve: review → engineer → qa → completed, with every artifact on disk', async () => {
    const { orchestrator } = harness;
    const id = await orchestrator.startNewSession('Build a REST API for user authentication', 'auth-service');
    assert.match(id, /^sess_[A-Za-z0-9_-]{16,}$/);
    const inReview = await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    assert.equal(inReview.currentPhase, 'review');
    assert.equal(inReview.projectName, 'auth-service');

    const artifacts = await orchestrator.getArtifacts(id);
    assert.ok(artifacts.prd && artifacts.techSpec && artifacts.scaffold, 'documents exist before review');
    assert.equal(artifacts.bugReport, null, 'no bug report before QA');

    const approved = await orchestrator.approveAndContinue(id, { by: 'alice' });
    assert.equal(approved.status, SessionStatus.RUNNING);
    assert.equal(approved.currentPhase, 'engineer');

    const done = await harness.waitForStatus(id, SessionStatus.COMPLETED);
    assert.equal(done.currentPhase, 'done');
    assert.equal(done.qaPassed, true);
    assert.equal(done.iterationCount, 0);
    const final = await orchestrator.getArtifacts(id);
    assert.ok(final.bugReport);
    assert.match(await readFile(final.bugReport, 'utf8'), /PASS/);
    const logs = await orchestrator.getRecentLogs(id, 100);
    assert.match(logs, /\[pm\] Wrote docs\/PRD\.md/);
    assert.match(logs, /\[review\] Approved/);
    assert.match(logs, /\[done\] Session completed/);
    const events = (await harness.state(id)).events;
    assert.ok(events.some((event) => event.kind === 'approved' && event.by === 'alice' && event.via === 'update'));
  });

  test('reject to pm: the PM runs again and the new PRD addresses the feedback', async () => {
    const { orchestrator } = harness;
    const id = await orchestrator.startNewSession('Build a todo list service');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const rejected = await orchestrator.rejectAndIterate(id, 'Target mobile clients first', 'pm');
    assert.equal(rejected.status, SessionStatus.RUNNING);
    assert.equal(rejected.currentPhase, 'pm');
    assert.equal(rejected.iterationCount, 1);

    const again = await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    assert.equal(again.iterationCount, 1);
    const { prd, techSpec } = await orchestrator.getArtifacts(id);
    assert.match(await readFile(prd!, 'utf8'), /Feedback addressed[\s\S]*Target mobile clients first/);
    assert.match(await readFile(techSpec!, 'utf8'), /Target mobile clients first/, 'the architect ran again after the PM');
    const phases = (await harness.state(id)).events.filter((e) => e.kind === 'phase_started').map((e) => e.phase);
    assert.deepEqual(phases, ['pm', 'architect', 'review', 'pm', 'architect', 'review']);
  });

  test('reject to architect (the default): only the architect runs again, feedback in the new spec', async () => {
    const { orchestrator } = harness;
    const id = await orchestrator.startNewSession('Build a URL shortener');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const prdBefore = await readFile((await orchestrator.getArtifacts(id)).prd!, 'utf8');
    const rejected = await orchestrator.rejectAndIterate(id, 'Please add rate limiting to the API spec');
    assert.equal(rejected.currentPhase, 'architect');
    assert.equal(rejected.iterationCount, 1);

    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const { prd, techSpec } = await orchestrator.getArtifacts(id);
    assert.match(await readFile(techSpec!, 'utf8'), /Feedback addressed[\s\S]*Please add rate limiting to the API spec/);
    assert.equal(await readFile(prd!, 'utf8'), prdBefore, 'the PRD was not regenerated');
    const phases = (await harness.state(id)).events.filter((e) => e.kind === 'phase_started').map((e) => e.phase);
    assert.deepEqual(phases, ['pm', 'architect', 'review', 'architect', 'review']);
  });

  test('a decision outside review is refused synchronously and changes nothing', async () => {
    const release = gate();
    const slow = await SessionHarness.start({
      activities: {
        pm: async (input) => {
          await release.promise;
          return runPm(input);
        },
      },
    });
    try {
      const id = await slow.orchestrator.startNewSession('Build a chat bot');
      await slow.waitForStatus(id, SessionStatus.RUNNING);
      await assert.rejects(slow.orchestrator.approveAndContinue(id), InvalidOperationError);
      await assert.rejects(slow.orchestrator.rejectAndIterate(id, 'too early'), InvalidOperationError);
      release.open();
      const inReview = await slow.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      assert.equal(inReview.iterationCount, 0, 'the refused reject did not count');
      await slow.orchestrator.approveAndContinue(id);
      await slow.waitForStatus(id, SessionStatus.COMPLETED);
      await assert.rejects(slow.orchestrator.approveAndContinue(id), InvalidOperationError);
    } finally {
      release.open();
      await slow.close();
    }
  });

  test('a signal outside review is ignored and logged, not held for the next review', async () => {
    const release = gate();
    const slow = await SessionHarness.start({
      activities: {
        architect: async (input) => {
          await release.promise;
          return runArchitect(input);
        },
      },
    });
    try {
      const id = await slow.orchestrator.startNewSession('Build a weather dashboard');
      await slow.waitFor(id, (info) => info.currentPhase === 'architect');
      await slow.client.workflow.getHandle(id).signal(approveSignal, { by: 'operator' });
      const ignored = await waitForEvent(slow, id, 'signal_ignored');
      assert.match(JSON.stringify(ignored), /not awaiting approval/);
      release.open();
      await slow.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const still = await slow.orchestrator.getSessionStatus(id);
      assert.equal(still.status, SessionStatus.AWAITING_APPROVAL, 'the early signal did not approve the review');

      await slow.client.workflow.getHandle(id).signal(approveSignal, { by: 'operator' });
      const approved = await slow.waitFor(id, (info) => info.currentPhase !== 'review');
      assert.notEqual(approved.status, SessionStatus.AWAITING_APPROVAL);
      const events = (await slow.state(id)).events;
      assert.ok(events.some((event) => event.kind === 'approved' && event.via === 'signal' && event.by === 'operator'));
    } finally {
      release.open();
      await slow.close();
    }
  });

  test('two concurrent approvals and a concurrent rejection: exactly one decision applies, the others are refused', async () => {
    const { orchestrator } = harness;
    const id = await orchestrator.startNewSession('Build a markdown previewer');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const results = await Promise.allSettled([
      orchestrator.approveAndContinue(id, { by: 'first' }),
      orchestrator.approveAndContinue(id, { by: 'second' }),
      orchestrator.rejectAndIterate(id, 'concurrent reject', 'pm', { by: 'third' }),
    ]);
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter((result) => result.status === 'rejected');
    assert.equal(fulfilled.length, 1, JSON.stringify(results));
    assert.equal(rejected.length, 2);
    for (const failure of rejected) assert.ok(failure.reason instanceof InvalidOperationError);
    const decisions = (await harness.state(id)).events.filter((e) => e.kind === 'approved' || e.kind === 'rejected');
    assert.equal(decisions.length, 1);
  });
});

async function waitForEvent(harness: SessionHarness, id: string, kind: string): Promise<unknown> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const event = (await harness.state(id)).events.find((e) => e.kind === kind);
    if (event) return event;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${kind} event for ${id}`);
}
