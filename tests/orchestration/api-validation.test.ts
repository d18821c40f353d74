import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  MaxSessionsExceededError,
  SessionNotFoundError,
  SessionStatus,
  ValidationError,
} from '../../src/orchestration/orchestrator';
import { SessionHarness } from '../helpers/session-harness';

describe('Orchestrator input validation and unknown ids', () => {
  let harness: SessionHarness;
  before(async () => {
    harness = await SessionHarness.start({ worker: false, config: { maxActiveSessions: 10_000 } });
  });
  after(() => harness.close());

  test('an empty or blank mission is a ValidationError and starts nothing', async () => {
    for (const mission of ['', '   \n\t', undefined as unknown as string]) {
      await assert.rejects(harness.orchestrator.startNewSession(mission), ValidationError);
    }
    await assert.rejects(harness.orchestrator.startNewSession('x'.repeat(10_001)), ValidationError);
    await assert.rejects(harness.orchestrator.startNewSession('ok', 'bad\u0000name'), ValidationError);
  });

  test('blank feedback and a bad rejectTo are ValidationErrors', async () => {
    const id = await harness.orchestrator.startNewSession('Build a validation target');
    await assert.rejects(harness.orchestrator.rejectAndIterate(id, '  '), ValidationError);
    await assert.rejects(harness.orchestrator.rejectAndIterate(id, 'fine', 'engineer' as 'pm'), ValidationError);
  });

  test('every method raises SessionNotFoundError for an unknown id', async () => {
    const { orchestrator } = harness;
    for (const id of ['sess_doesNotExist123', 'not-a-session', '../../etc/passwd']) {
      await assert.rejects(orchestrator.getSessionStatus(id), SessionNotFoundError);
      await assert.rejects(orchestrator.approveAndContinue(id), SessionNotFoundError);
      await assert.rejects(orchestrator.rejectAndIterate(id, 'feedback'), SessionNotFoundError);
      await assert.rejects(orchestrator.getArtifacts(id), SessionNotFoundError);
      await assert.rejects(orchestrator.getRecentLogs(id), SessionNotFoundError);
      await assert.rejects(orchestrator.isRunning(id), SessionNotFoundError);
      await assert.rejects(orchestrator.cancelSession(id), SessionNotFoundError);
    }
  });

  test('listing validates its limit, status and cursor', async () => {
    const { orchestrator } = harness;
    for (const limit of [0, -1, 1.5, 1001]) {
      await assert.rejects(orchestrator.listSessions({ limit }), ValidationError);
    }
    await assert.rejects(orchestrator.listSessions({ status: 'sleeping' as SessionStatus }), ValidationError);
    await assert.rejects(orchestrator.listSessionPage({ cursor: 'garbage' }), ValidationError);
    await assert.rejects(orchestrator.getRecentLogs('sess_anything', 0), ValidationError);
  });

  test('paging walks every session once, newest first', async () => {
    const project = `paging-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) ids.push(await harness.orchestrator.startNewSession(`Paging mission ${i}`, project));
    const seen: string[] = [];
    for (let attempt = 0; attempt < 50 && seen.length < ids.length; attempt += 1) {
      seen.length = 0;
      let cursor: string | null = null;
      do {
        const page = await harness.orchestrator.listSessionPage({ project, limit: 3, cursor });
        assert.ok(page.sessions.length <= 3);
        seen.push(...page.sessions.map((s) => s.sessionId));
        cursor = page.nextCursor;
      } while (cursor);
      if (seen.length < ids.length) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(seen, [...ids].reverse());
  });
});

test('beyond maxActiveSessions, starting a session raises MaxSessionsExceededError', async () => {
  const harness = await SessionHarness.start({ worker: false, config: { namespace: 'capacity', maxActiveSessions: 2 } });
  try {
    await harness.orchestrator.startNewSession('Capacity one');
    await harness.orchestrator.startNewSession('Capacity two');
    let error: unknown;
    for (let attempt = 0; attempt < 50 && !error; attempt += 1) {
      try {
        const extra = await harness.orchestrator.startNewSession('Capacity extra');
        await harness.client.workflow.getHandle(extra).terminate('visibility had not caught up yet');
        await new Promise((resolve) => setTimeout(resolve, 100));
      } catch (err) {
        error = err;
      }
    }
    assert.ok(error instanceof MaxSessionsExceededError, String(error));
    assert.equal(error.maxActiveSessions, 2);
    assert.equal(error.activeSessions, 2);
  } finally {
    await harness.close();
  }
});
