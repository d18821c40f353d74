import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Orchestrator, type SessionInfo, SessionStatus } from '../../src/orchestration/orchestrator';
import { noopActivities } from '../bench/noop-agents';
import { SessionHarness } from '../helpers/session-harness';
import { countingConnection } from './counting-connection';

test('a page of sessions is read with about as many executions as it shows: newest first, stable paging, two list calls', async () => {
  const harness = await SessionHarness.start({ worker: false, config: { maxActiveSessions: 100_000 } });
  const counting = await countingConnection(harness.orchestrator.config.temporalAddress ?? '');
  const reader = new Orchestrator(harness.orchestrator.config, { connection: counting.connection });
  try {
    const project = `listing-${randomUUID()}`;
    const started: string[] = [];
    for (let i = 0; i < 12; i += 1) started.push(await harness.orchestrator.startNewSession(`Listed session ${i}`, project));
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if ((await reader.listSessionPage({ project, limit: 100 })).sessions.length === 12) break;
      await sleep(100);
    }
    const all = (await reader.listSessionPage({ project, limit: 100 })).sessions;
    assert.equal(all.length, 12);
    for (let i = 1; i < all.length; i += 1) {
      assert.ok((all[i - 1]?.createdAt.getTime() ?? 0) >= (all[i]?.createdAt.getTime() ?? 0), 'newest first');
    }
    assert.deepEqual(new Set(all.map((s) => s.sessionId)), new Set(started));

    const before = counting.calls('ListWorkflowExecutions');
    const first = await reader.listSessionPage({ project, limit: 5 });
    const listCalls = counting.calls('ListWorkflowExecutions') - before;
    assert.ok(listCalls <= 2, `one page took ${listCalls} list calls (open executions, then closed ones)`);

    const paged: string[] = first.sessions.map((s) => s.sessionId);
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await reader.listSessionPage({ project, limit: 5, cursor });
      paged.push(...page.sessions.map((s) => s.sessionId));
      cursor = page.nextCursor;
    }
    assert.deepEqual(paged, all.map((s) => s.sessionId), 'pages of 5 give the same sessions in the same order, each once');
  } finally {
    await reader.close();
    await counting.connection.close();
    await harness.close();
  }
});

test('a listed session is the session as described: waiting in review, completed, and ended by Temporal', async () => {
  const harness = await SessionHarness.start({ activities: noopActivities(), config: { maxActiveSessions: 100_000 } });
  try {
    const project = `listed-${randomUUID()}`;
    const waiting = await harness.orchestrator.startNewSession('Listed while waiting', project);
    const completed = await harness.orchestrator.startNewSession('Listed once completed', project);
    const terminated = await harness.orchestrator.startNewSession('Listed once terminated', project);
    for (const id of [waiting, completed]) await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    await harness.orchestrator.approveAndContinue(completed);
    await harness.waitForStatus(completed, SessionStatus.COMPLETED);
    await harness.client.workflow.getHandle(terminated).terminate('ended by an operator');
    await harness.waitForStatus(terminated, SessionStatus.FAILED);

    const ids = [waiting, completed, terminated];
    const byId = (sessions: SessionInfo[]): SessionInfo[] => [...sessions].sort((a, b) => a.sessionId.localeCompare(b.sessionId));
    let listed: SessionInfo[] = [];
    let described: SessionInfo[] = [];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      listed = byId((await harness.orchestrator.listSessionPage({ project })).sessions);
      described = byId(await Promise.all(ids.map((id) => harness.orchestrator.getSessionStatus(id))));
      if (JSON.stringify(listed) === JSON.stringify(described)) break;
      await sleep(100); // visibility catches up with the last upsert
    }
    assert.deepEqual(listed, described, 'a list shows each session as describing it does');
    assert.deepEqual(
      listed.map((s) => [s.sessionId, s.status, s.projectName]),
      byId(described).map((s) => [s.sessionId, s.sessionId === waiting ? 'awaiting_approval' : s.sessionId === completed ? 'completed' : 'failed', project]),
    );
    assert.ok(listed.every((s) => s.workDir !== '' && s.userMission.startsWith('Listed ')), 'memo fields decoded');
  } finally {
    await harness.close();
  }
});
