import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Orchestrator } from '../../src/orchestration/orchestrator';
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
