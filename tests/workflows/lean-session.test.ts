import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { getStateQuery, rejectUpdate, type SessionState } from '../../workflows/definitions';
import { SessionHarness } from '../helpers/session-harness';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The session's history as event types, with what each marker, activity and upsert was. */
async function historyOf(harness: SessionHarness, id: string): Promise<HistoryEvent[]> {
  const history = await harness.client.workflow.getHandle(id).fetchHistory();
  return history.events ?? [];
}

const patchIds = (events: HistoryEvent[]): string[] =>
  events
    .filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((event) => {
      const data = event.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
      return data ? (JSON.parse(Buffer.from(data).toString()) as { id: string }).id : '?';
    });

const localActivities = (events: HistoryEvent[]): number =>
  events.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;

describe('a new session runs lean', () => {
  let harness: SessionHarness;
  before(async () => {
    harness = await SessionHarness.start();
  });
  after(async () => {
    await harness.close();
  });

  test('one patch marker, one upsert per change of a listed attribute, and the approval line written by the engineer', async () => {
    const id = await harness.orchestrator.startNewSession('Lean: approve straight away', 'lean');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    await harness.orchestrator.approveAndContinue(id, { reviewRound: 1 });
    await harness.client.workflow.getHandle(id).result();
    const events = await historyOf(harness, id);

    assert.deepEqual(patchIds(events), ['engineer-start'], 'the newest patch stands for every earlier one');
    const upserts = events.filter((event) => event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
    const listed = upserts.filter((event) => event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.SessionStatus);
    // running (pm), architect, awaiting_approval, approved (engineer), qa, completed: the engineer's start changes nothing listed.
    assert.equal(listed.length, 6, 'one upsert per change');
    assert.equal(upserts.length - listed.length, 1, 'and the one TemporalChangeVersion upsert of the patch');
    // "Awaiting human review" and "Session completed" only: nothing follows them but a wait or the end.
    assert.equal(localActivities(events), 2);

    const log = await harness.orchestrator.getRecentLogs(id, 200);
    const lines = log.split('\n');
    const approved = lines.filter((line) => /\[review\] Approved review round 1$/.test(line));
    assert.equal(approved.length, 1, `the approval line once:\n${log}`);
    const approvedAt = lines.indexOf(approved[0]!);
    const firstEngineerLine = lines.findIndex((line) => line.includes('[engineer]'));
    assert.ok(firstEngineerLine > approvedAt, `the approval line comes before the engineer's own lines:\n${log}`);
    assert.ok(lines.indexOf(lines.find((line) => line.includes('Awaiting human review'))!) < approvedAt);
    assert.match(lines.filter((line) => line.trim()).at(-1) ?? '', /\[done\] Session completed$/);
  });

  test('an engineer that does not loop runs as one activity, engineerStart, which also writes the approval line', async () => {
    const written: string[] = [];
    const single = await SessionHarness.start({
      activities: {
        engineer: (input) => {
          written.push(input.workDir);
          return Promise.resolve({ artifacts: [{ name: 'code', path: 'src/single-shot.txt', sha256: 'a'.repeat(64), bytes: 1 }] });
        },
        // Nothing was built to test: the QA of this test passes what it is given.
        qa: () => Promise.resolve({ artifacts: [], passed: true, summary: 'passed' }),
      },
    });
    try {
      const id = await single.orchestrator.startNewSession('Lean: a single-shot engineer', 'lean');
      await single.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await single.orchestrator.approveAndContinue(id, { reviewRound: 1 });
      const state = (await single.client.workflow.getHandle(id).result()) as SessionState;
      const scheduled = (await historyOf(single, id))
        .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter((name): name is string => Boolean(name));
      assert.deepEqual(scheduled, ['pm', 'architect', 'engineerStart', 'qa'], 'the engineer is one activity');
      assert.equal(written.length, 1, 'the single-shot engineer ran once');
      assert.equal(state.artifacts.code?.path, 'src/single-shot.txt', "its result is the phase's result");
      const lines = (await single.orchestrator.getRecentLogs(id, 200)).split('\n');
      assert.equal(lines.filter((line) => /\[review\] Approved review round 1$/.test(line)).length, 1, 'the approval line is written (a line is kept once per event id)');
    } finally {
      await single.close();
    }
  });

  test("a decision answers the session's fields, not its audit trail, artifacts or feedback", async () => {
    const id = await harness.orchestrator.startNewSession('Lean: the answer to a decision', 'lean');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const handle = harness.client.workflow.getHandle(id);
    const answer = await handle.executeUpdate(rejectUpdate, { args: [{ feedback: 'More detail', rejectTo: 'architect', reviewRound: 1 }] });
    assert.equal(answer.status, SessionStatus.RUNNING);
    assert.equal(answer.phase, 'architect');
    assert.equal(answer.iterationCount, 1);
    assert.equal(answer.sessionId, id);
    for (const left of ['events', 'artifacts', 'feedback', 'maxIterations', 'failureReason']) assert.equal(left in answer, false, `no ${left} in the answer`);
    const state = await handle.query(getStateQuery);
    assert.ok(state.events.length > 0 && state.feedback.length === 1, 'the state itself still has them');
    await handle.cancel();
  });

  test("a rejection's line goes with the phase it sends the session back to; a failure comes last", async () => {
    const failing = await SessionHarness.start({ config: { maxIterations: 1 } });
    try {
      const id = await failing.orchestrator.startNewSession('Lean: rejected past the limit', 'lean');
      await failing.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await failing.orchestrator.rejectAndIterate(id, 'first pass');
      await failing.waitFor(id, (info) => info.status === SessionStatus.AWAITING_APPROVAL && info.reviewRound === 2);
      await failing.orchestrator.rejectAndIterate(id, 'second pass');
      await failing.client.workflow.getHandle(id).result().catch(() => undefined);
      const lines = (await failing.orchestrator.getRecentLogs(id, 200)).split('\n').filter((line) => line.trim());
      const first = lines.findIndex((line) => /Rejected to architect \(review round 1\): first pass$/.test(line));
      const failed = lines.findIndex((line) => line.includes('Session failed: rejected with 1 of 1 iterations used'));
      assert.ok(first >= 0 && failed === lines.length - 1, `the rejection, then the failure last:\n${lines.join('\n')}`);
      assert.ok(lines.slice(first + 1, failed).some((line) => line.includes('[architect]')), 'the rejection went with the architect that followed it');
    } finally {
      await failing.close();
    }
  });
});
