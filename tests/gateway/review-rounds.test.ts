/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InvalidOperationError, StaleReviewError, ValidationError } from '../../src/orchestration/orchestrator';
import { approveSignal, rejectSignal } from '../../workflows/definitions';
import { GatewayHarness } from './gateway-harness';

void describe('review rounds: a decision applies to the review its sender saw', () => {
  let gw: GatewayHarness;
  before(async () => {
    // The template architect answers in milliseconds: a rejection reopens review almost at once, which is what
    // let a late approval land on a review nobody had read.
    // Generous bounds: twenty decisions at once on a loaded machine must not turn into 503s.
    gw = await GatewayHarness.start({ config: { maxActiveSessions: 10_000 }, gateway: { requestTimeoutMs: 30_000, decisionTimeoutMs: 60_000 } });
  });
  after(() => gw.close());

  async function inReview(mission: string): Promise<{ id: string; session: Record<string, unknown> }> {
    const started = await gw.request('POST', '/sessions', { body: { user_mission: mission } });
    assert.equal(started.status, 201, started.text);
    assert.equal(started.json.review_round, 0, 'no review opened yet');
    assert.equal(started.json.last_error, null);
    const id = started.json.session_id as string;
    return { id, session: await gw.waitForStatus(id, 'awaiting_approval') };
  }

  void test('20 concurrent decisions on the open round, half approve and half reject: exactly one applies', async () => {
    const { id, session } = await inReview('Build a REST API for user authentication');
    assert.equal(session.review_round, 1);
    const decisions = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? gw.request('POST', `/sessions/${id}/approve`, { body: { by: `approver-${i}`, review_round: 1 } })
        : gw.request('POST', `/sessions/${id}/reject`, { body: { feedback: `Change ${i}`, reject_to: 'architect', by: `rejecter-${i}`, review_round: 1 } }),
    );
    const answers = await Promise.all(decisions);
    const applied = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 409);
    assert.equal(applied.length, 1, answers.map((a) => `${a.status} ${a.json?.error?.code ?? ''}`).join(', '));
    assert.equal(refused.length, 19, answers.map((a) => `${a.status} ${a.json?.error?.code ?? ''}`).join(', '));
    for (const answer of refused) {
      assert.equal(answer.json.error.code, 'stale_review', answer.text);
      assert.equal(typeof answer.json.session.review_round, 'number');
    }
    const history = await gw.request('GET', `/sessions/${id}/history`);
    assert.equal(history.json.decisions.length, 1, 'one decision in the audit trail');
    assert.equal(history.json.decisions[0].review_round, 1);
  });

  void test('a decision with the previous round after a rejection is refused with the current session, and nothing changes', async () => {
    const { id } = await inReview('Build a habit tracker');
    const rejected = await gw.request('POST', `/sessions/${id}/reject`, { body: { feedback: 'Add streaks', review_round: 1 } });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.json.review_round, 1, 'the round it answered');
    const second = await gw.waitFor(id, (s) => s.status === 'awaiting_approval' && s.review_round === 2);
    const stale = await gw.request('POST', `/sessions/${id}/approve`, { body: { review_round: 1, by: 'late' } });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.json.error.code, 'stale_review');
    assert.match(stale.json.error.message, /round 1 .* review round 2 is open/);
    assert.equal(stale.json.session.review_round, 2);
    assert.equal(stale.json.session.status, 'awaiting_approval');
    const after = await gw.request('GET', `/sessions/${id}`);
    assert.equal(after.json.status, 'awaiting_approval');
    assert.equal(after.json.iteration_count, second.iteration_count);

    // The open round applies; its retry with the same key returns the original 200, not a stale refusal.
    const headers = { 'idempotency-key': `approve-${id}` };
    const approved = await gw.request('POST', `/sessions/${id}/approve`, { body: { review_round: 2, by: 'carol' }, headers });
    assert.equal(approved.status, 200, approved.text);
    const retried = await gw.request('POST', `/sessions/${id}/approve`, { body: { review_round: 2, by: 'carol' }, headers });
    assert.equal(retried.status, 200, retried.text);
    assert.deepEqual(retried.json, approved.json);

    // After approval no review is open: a round is stale, and without one the old refusal stays.
    const none = await gw.request('POST', `/sessions/${id}/reject`, { body: { feedback: 'too late', review_round: 2 } });
    assert.equal(none.status, 409);
    assert.equal(none.json.error.code, 'stale_review');
    assert.match(none.json.error.message, /no review is open/);
    const unnamed = await gw.request('POST', `/sessions/${id}/approve`, { body: {} });
    assert.equal(unnamed.status, 409);
    assert.equal(unnamed.json.error.code, 'invalid_operation');

    await gw.waitForStatus(id, 'completed', 30_000);
    const history = await gw.request('GET', `/sessions/${id}/history`);
    const [rejection, approval] = history.json.decisions as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(rejection?.review_round, 1);
    assert.equal(approval?.review_round, 2);
    const revisions = history.json.artifact_revisions as { name: string; sha256: string; phase: string }[];
    const specs = revisions.filter((revision) => revision.name === 'tech_spec');
    assert.equal(specs.length, 2, 'the architect wrote the spec twice');
    assert.equal(rejection?.documents.tech_spec, specs[0]?.sha256, 'the rejection saw the first spec');
    assert.equal(approval?.documents.tech_spec, specs[1]?.sha256, 'the approval saw the second spec');
    assert.equal(approval?.documents.prd, revisions.find((revision) => revision.name === 'prd')?.sha256);
    assert.match(approval?.documents.scaffold ?? '', /^[0-9a-f]{64}$/);
    const rounds = (history.json.phases as { phase: string; review_round: number }[]).map((run) => `${run.phase}:${run.review_round}`);
    assert.deepEqual(rounds, ['pm:1', 'architect:1', 'review:1', 'architect:2', 'review:2', 'engineer:2', 'qa:2']);
  });

  void test('a round that is not a whole number from 1 is a 400, through REST and the TS API', async () => {
    const { id } = await inReview('Build a calculator');
    for (const review_round of [0, -1, 1.5, '1', null]) {
      const answer = await gw.request('POST', `/sessions/${id}/approve`, { body: { review_round } });
      assert.equal(answer.status, 400, `${JSON.stringify(review_round)}: ${answer.text}`);
      assert.equal(answer.json.error.code, 'validation_error');
      assert.match(answer.json.error.message, /review_round/);
    }
    await assert.rejects(gw.orchestrator.approveAndContinue(id, { reviewRound: 0 }), ValidationError);
    await assert.rejects(gw.orchestrator.rejectAndIterate(id, 'x', 'pm', { reviewRound: 2.5 }), ValidationError);
    const still = await gw.request('GET', `/sessions/${id}`);
    assert.equal(still.json.status, 'awaiting_approval');
  });

  void test('the TS API refuses a stale round with a StaleReviewError carrying the session, an InvalidOperationError', async () => {
    const { id } = await inReview('Build a kanban board');
    const error = await gw.orchestrator.approveAndContinue(id, { reviewRound: 7 }).then(
      () => null,
      (err: unknown) => err,
    );
    assert.ok(error instanceof StaleReviewError, String(error));
    assert.ok(error instanceof InvalidOperationError);
    assert.equal(error.session.reviewRound, 1);
    assert.equal(error.session.status, 'awaiting_approval');
    const applied = await gw.orchestrator.rejectAndIterate(id, 'Use a database', 'pm', { reviewRound: 1 });
    assert.equal(applied.reviewRound, 1);
    assert.equal(applied.currentPhase, 'pm');
  });

  void test('a signal with a stale round is ignored and recorded; one with the open round applies', async () => {
    const { id } = await inReview('Build a chat server');
    const handle = gw.sessions.client.workflow.getHandle(id);
    await handle.signal(rejectSignal, { feedback: 'stale', rejectTo: 'architect', reviewRound: 5 });
    await handle.signal(approveSignal, { by: 'operator', reviewRound: 0 });
    const state = await gw.sessions.state(id);
    const ignored = state.events.filter((event) => event.kind === 'signal_ignored');
    assert.equal(ignored.length, 2, JSON.stringify(state.events));
    assert.match(JSON.stringify(ignored[0]), /round 5 .*review round 1 is open/);
    assert.match(JSON.stringify(ignored[1]), /review_round must be an integer of at least 1/);
    assert.equal(state.status, 'awaiting_approval');
    const history = await gw.request('GET', `/sessions/${id}/history`);
    assert.equal((history.json.events as { kind: string }[]).filter((event) => event.kind === 'signal_ignored').length, 2);

    await handle.signal(approveSignal, { by: 'operator', reviewRound: 1 });
    const moved = await gw.waitFor(id, (s) => s.current_phase !== 'review');
    assert.equal(moved.review_round, 1);
    assert.notEqual(moved.status, 'awaiting_approval');
  });
});
