import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type SessionStats, SessionStatsCollector } from '../../src/sessions/session-stats';
import { startSuiteServer } from '../helpers/test-server';
import { SessionHarness } from '../helpers/session-harness';
import { noopActivities } from '../bench/noop-agents';

const LOOKBACK_MS = 1_500;

/** The figures the index gives, without what a collection's time or the audit trail adds. */
function figures(stats: SessionStats): Record<string, unknown> {
  return {
    total: stats.total,
    active: stats.active,
    byStatus: stats.byStatus,
    approvals: stats.approvals,
    rejections: stats.rejections,
    openByPhase: stats.openByPhase,
    waitingNow: stats.waitingForReview[0]?.sessions,
    rejectionsByTarget: stats.rejectionsByTarget,
    reachedQa: stats.reachedQa,
    qaPassed: stats.qaPassed,
  };
}

test('the session index follows starts, moves, closes (one terminated mid-review) and deletions by listing only what changed', async () => {
  // A server of its own: the figures are namespace-wide, so they are exact only where no other test runs.
  const server = await startSuiteServer(true);
  const harness = await SessionHarness.start({ address: server.address, activities: noopActivities(), config: { maxActiveSessions: 1_000 } });
  const { client, orchestrator } = harness;
  const collector = new SessionStatsCollector(() => Promise.resolve(client), { maxIterations: 5, index: { lookbackMs: LOOKBACK_MS, minDriftResyncMs: 0 } });
  const kinds: string[] = [];
  /** Collect until `done` holds (visibility catches up with the workflows), recording what each refresh did. */
  const collectUntil = async (done: (stats: SessionStats) => boolean, timeoutMs = 20_000): Promise<SessionStats> => {
    let stats: SessionStats | null = null;
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
      stats = await collector.collect();
      // A cross-check that disagrees starts a full listing beside the refreshes (they go on from the index as it is).
      const kind = stats.index.drift ? 'drift' : stats.index.kind;
      if (kinds.at(-1) !== kind || kind !== 'changes') kinds.push(kind);
      if (done(stats)) return stats;
    }
    assert.fail(`the figures never followed: ${JSON.stringify(stats && figures(stats))}; refreshes ${kinds.join(', ')}`);
  };
  try {
    const [a, b, c] = await Promise.all(['A', 'B', 'C'].map((name) => orchestrator.startNewSession(`Indexed session ${name}`)));
    for (const id of [a, b, c]) await harness.waitForStatus(id ?? '', 'awaiting_approval');
    const first = await collectUntil((s) => s.byStatus.awaiting_approval === 3);
    assert.equal(kinds[0], 'first', 'the first refresh lists every session');
    assert.deepEqual(figures(first), {
      ...figures(first),
      total: 3,
      active: 3,
      approvals: 0,
      rejections: 0,
      waitingNow: 3,
      openByPhase: { pm: 0, architect: 0, review: 3, engineer: 0, qa: 0, done: 0 },
    });

    kinds.length = 0;
    await orchestrator.rejectAndIterate(a ?? '', 'Say who the users are', 'pm');
    await orchestrator.approveAndContinue(b ?? '');
    await harness.waitForStatus(b ?? '', 'completed');
    await client.workflow.getHandle(c ?? '').terminate('ended by an operator, no final upsert');
    const d = await orchestrator.startNewSession('Indexed session D');
    await harness.waitFor(a ?? '', (s) => s.status === 'awaiting_approval' && s.iterationCount === 1);
    await harness.waitForStatus(d, 'awaiting_approval');
    const moved = await collectUntil((s) => s.total === 4 && s.byStatus.completed === 1 && s.byStatus.failed === 1 && s.rejections === 1 && s.active === 2);
    assert.deepEqual(figures(moved), {
      total: 4,
      active: 2,
      byStatus: { pending: 0, running: 0, awaiting_approval: 2, paused: 0, completed: 1, failed: 1, expired: 0, cancelled: 0 },
      approvals: 1,
      rejections: 1,
      openByPhase: { pm: 0, architect: 0, review: 2, engineer: 0, qa: 0, done: 0 },
      waitingNow: 2,
      rejectionsByTarget: { pm: 1, architect: 0 },
      reachedQa: 1,
      qaPassed: 1,
    });
    assert.ok(!kinds.includes('first') && !kinds.includes('periodic') && !kinds.includes('drift'), `only changes were listed: ${kinds.join(', ')}`);
    assert.equal(moved.finishedPhaseRuns.filter((run) => run.phase === 'qa').length, 1, 'the completed session’s phase runs, from its result');

    // A deletion shows in no "changed since" listing: the count disagrees, and everything is listed again.
    kinds.length = 0;
    await client.workflowService.deleteWorkflowExecution({ namespace: orchestrator.config.namespace, workflowExecution: { workflowId: b } });
    // The dev server takes half a minute or so to remove a deleted execution from visibility.
    const deleted = await collectUntil((s) => s.total === 3, 120_000);
    assert.equal(deleted.byStatus.completed, 0);
    assert.equal(deleted.approvals, 0);
    assert.ok(kinds.includes('drift'), `the deletion was found by the cross-check: ${kinds.join(', ')}`);

    // Nothing changes: once the look-back has passed, a refresh lists no execution at all.
    await sleep(LOOKBACK_MS + 500);
    await collector.collect();
    const quiet = await collector.collect();
    assert.deepEqual(quiet.index, { kind: 'changes', listed: 0, changed: 0, drift: false });
    assert.deepEqual(figures(quiet), figures(deleted));

    // What the index kept by changes is what a full listing finds.
    const fresh = await new SessionStatsCollector(() => Promise.resolve(client), { maxIterations: 5 }).collect();
    assert.equal(fresh.index.kind, 'first');
    assert.deepEqual(figures(fresh), figures(quiet));
  } finally {
    await harness.close();
    await server.stop();
  }
});
