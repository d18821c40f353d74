/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runPm } from '../helpers/agents';
import { gate } from '../helpers/session-harness';
import { GatewayHarness, metricValue } from './gateway-harness';

void describe('the review loop over HTTP, on the real stack', () => {
  let gw: GatewayHarness;
  before(async () => {
    gw = await GatewayHarness.start({ config: { maxActiveSessions: 10_000 } });
  });
  after(() => gw.close());

  void test('start → review → reject → review → approve → completed, with artifacts, logs, history and metrics read back', async () => {
    const started = await gw.request('POST', '/sessions', { body: { user_mission: 'Build a URL shortener', project_name: 'shortener' } });
    assert.equal(started.status, 201);
    const id = started.json.session_id as string;
    assert.match(id, /^sess_/);
    assert.equal(started.headers.get('location'), `/sessions/${id}`);
    assert.equal(started.json.user_mission, 'Build a URL shortener');
    assert.equal(started.json.project_name, 'shortener');
    assert.equal(started.json.iteration_count, 0);

    const inReview = await gw.waitForStatus(id, 'awaiting_approval');
    assert.equal(inReview.current_phase, 'review');
    const running = await gw.request('GET', `/sessions/${id}/running`);
    assert.deepEqual(running.json, { running: false });
    const before = await gw.request('GET', `/sessions/${id}/artifacts`);
    assert.equal(before.status, 200);
    assert.ok(before.json.prd && before.json.tech_spec && before.json.scaffold);
    assert.equal(before.json.bug_report, null);
    const noReport = await gw.request('GET', `/sessions/${id}/artifacts/bug_report`);
    assert.equal(noReport.status, 404);
    assert.equal(noReport.json.error.code, 'artifact_not_found');

    const rejected = await gw.request('POST', `/sessions/${id}/reject`, {
      body: { feedback: 'Add rate limiting to the API spec', reject_to: 'architect', by: 'alice' },
    });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.json.status, 'running');
    assert.equal(rejected.json.current_phase, 'architect');
    assert.equal(rejected.json.iteration_count, 1);

    await gw.waitFor(id, (s) => s.status === 'awaiting_approval' && s.iteration_count === 1);
    const spec = await gw.request('GET', `/sessions/${id}/artifacts/tech_spec`);
    assert.equal(spec.status, 200);
    assert.match(spec.headers.get('content-type') ?? '', /^text\/markdown/);
    assert.match(spec.text, /Add rate limiting to the API spec/);
    const scaffold = await gw.request('GET', `/sessions/${id}/artifacts/scaffold`);
    assert.match(scaffold.headers.get('content-type') ?? '', /^text\/x-shellscript/);

    const approved = await gw.request('POST', `/sessions/${id}/approve`, { body: { by: 'bob' } });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.status, 'running');
    assert.equal(approved.json.current_phase, 'engineer');

    const done = await gw.waitForStatus(id, 'completed');
    assert.equal(done.current_phase, 'done');
    assert.equal(done.qa_passed, true);
    const artifacts = await gw.request('GET', `/sessions/${id}/artifacts`);
    assert.ok(artifacts.json.bug_report, 'QA wrote its report');
    const report = await gw.request('GET', `/sessions/${id}/artifacts/bug_report`);
    assert.equal(report.status, 200);
    assert.match(report.text, /PASS/);

    const logs = await gw.request('GET', `/sessions/${id}/logs?lines=200`);
    assert.equal(logs.status, 200);
    assert.match(logs.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(logs.text, /\[review\] Rejected to architect \(review round 1\): Add rate limiting/);
    assert.match(logs.text, /\[review\] Approved/);
    assert.match(logs.text, /\[done\] Session completed/);
    const twoLines = await gw.request('GET', `/sessions/${id}/logs?lines=2`);
    assert.equal(twoLines.text.trimEnd().split('\n').length, 2);

    const history = await gw.request('GET', `/sessions/${id}/history`);
    assert.equal(history.status, 200, history.text);
    const h = history.json;
    assert.equal(h.status, 'completed');
    assert.deepEqual(
      h.phases.map((p: { phase: string }) => p.phase),
      ['pm', 'architect', 'review', 'architect', 'review', 'engineer', 'qa'],
    );
    for (const phase of h.phases) assert.ok(phase.ended_at >= phase.started_at, JSON.stringify(phase));
    assert.deepEqual(
      h.decisions.map((d: Record<string, unknown>) => [d.decision, d.by, d.via, d.feedback, d.reject_to]),
      [
        ['reject', 'alice', 'update', 'Add rate limiting to the API spec', 'architect'],
        ['approve', 'bob', 'update', null, null],
      ],
    );
    const specRevisions = h.artifact_revisions.filter((r: { name: string }) => r.name === 'tech_spec');
    assert.equal(specRevisions.length, 2, 'the architect wrote the spec twice');
    assert.notEqual(specRevisions[0].sha256, specRevisions[1].sha256);

    const text = await gw.scrapeUntil((scraped) => (metricValue(scraped, 'approvals_total') ?? 0) >= 1 && (metricValue(scraped, 'rejections_total') ?? 0) >= 1);
    assert.equal((await gw.request('GET', '/metrics')).status, 200);
    assert.match(text, /# HELP sessions_total Total number of sessions\n# TYPE sessions_total counter/);
    assert.match(text, /# HELP sessions_active Current active sessions\n# TYPE sessions_active gauge/);
    assert.match(text, /# HELP approvals_total Total approvals\n# TYPE approvals_total counter/);
    assert.match(text, /# HELP rejections_total Total rejections\n# TYPE rejections_total counter/);
    assert.ok((metricValue(text, 'sessions_total') ?? 0) >= 1);
    assert.ok((metricValue(text, 'approvals_total') ?? 0) >= 1);
    assert.ok((metricValue(text, 'rejections_total') ?? 0) >= 1);
    assert.ok((metricValue(text, 'sessions_by_status{status="completed"}') ?? 0) >= 1);
    assert.match(text, /http_request_duration_seconds_count\{method="POST",route="\/sessions\/:id\/approve",status_code="200"\} 1/);
    assert.match(text, /process_cpu_user_seconds_total/);

    const line = gw.logs.find((entry) => entry.route === '/sessions/:id/approve');
    assert.equal(line?.session_id, id, 'the request log names the session');
    assert.equal(line?.status, 200);
    assert.equal(typeof line?.duration_ms, 'number');
  });

  void test('decisions: 409 outside review, 400 for a bad body, a retry with the same Idempotency-Key returns the first outcome, the key with another body is a 422', async () => {
    const { json } = await gw.request('POST', '/sessions', { body: { user_mission: 'Build a markdown previewer' } });
    const id = json.session_id as string;
    assert.equal(json.project_name, null);
    await gw.waitForStatus(id, 'awaiting_approval');

    for (const body of [{ feedback: '   ' }, { feedback: 'x', reject_to: 'qa' }, { feedback: 'x', extra: 1 }, {}]) {
      const bad = await gw.request('POST', `/sessions/${id}/reject`, { body });
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(bad.json.error.code, 'validation_error');
    }
    const unknownField = await gw.request('POST', `/sessions/${id}/approve`, { body: { approve: true } });
    assert.equal(unknownField.status, 400);
    assert.match(unknownField.json.error.message, /unknown field.*approve/);

    const headers = { 'Idempotency-Key': 'approve-once-1' };
    const first = await gw.request('POST', `/sessions/${id}/approve`, { headers });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('idempotency-key'), 'approve-once-1');
    const retry = await gw.request('POST', `/sessions/${id}/approve`, { headers });
    assert.equal(retry.status, 200, 'a retry is answered with the first outcome, not a 409');
    assert.equal(retry.json.current_phase, 'engineer');
    assert.equal(retry.json.updated_at, first.json.updated_at);
    const otherBody = await gw.request('POST', `/sessions/${id}/approve`, { body: { by: 'mallory' }, headers });
    assert.equal(otherBody.status, 422, 'the key with another body is refused');
    assert.equal(otherBody.json.error.code, 'idempotency_key_reused');

    const again = await gw.request('POST', `/sessions/${id}/approve`, { headers: { 'Idempotency-Key': 'approve-once-2' } });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'invalid_operation');
    const reject = await gw.request('POST', `/sessions/${id}/reject`, { body: { feedback: 'too late' }, headers });
    assert.equal(reject.status, 409, 'the same key on another decision is not the approve outcome');

    const history = await gw.request('GET', `/sessions/${id}/history`);
    assert.equal(history.json.decisions.length, 1, 'one decision applied');
    assert.notEqual(history.json.decisions[0].by, 'mallory', 'by the first request');
    await gw.waitForStatus(id, 'completed');
  });

  void test('a rejection beyond max iterations answers 200 with the session failed in review', async () => {
    const strict = await GatewayHarness.start({ config: { maxActiveSessions: 10_000, maxIterations: 0 } });
    try {
      const { json } = await strict.request('POST', '/sessions', { body: { user_mission: 'Build it right the first time' } });
      const id = json.session_id as string;
      await strict.waitForStatus(id, 'awaiting_approval');
      const rejected = await strict.request('POST', `/sessions/${id}/reject`, { body: { feedback: 'Not good enough', reject_to: 'pm' } });
      assert.equal(rejected.status, 200, rejected.text);
      assert.equal(rejected.json.status, 'failed');
      assert.equal(rejected.json.current_phase, 'review');
      assert.equal(rejected.json.iteration_count, 0);
      const after = await strict.waitForStatus(id, 'failed');
      assert.equal(after.current_phase, 'review');
      const cancel = await strict.request('POST', `/sessions/${id}/cancel`);
      assert.equal(cancel.status, 409, 'a failed session cannot be cancelled');
    } finally {
      await strict.close();
    }
  });

  void test('running and cancel: running while an agent works, cancel → cancelled, cancel again → 409', async () => {
    const release = gate();
    const slow = await GatewayHarness.start({
      config: { maxActiveSessions: 10_000 },
      activities: { pm: async (input) => (await release.promise, runPm(input)) },
    });
    try {
      const { json } = await slow.request('POST', '/sessions', { body: { user_mission: 'Build a chat bot' } });
      const id = json.session_id as string;
      await slow.waitForStatus(id, 'running');
      assert.deepEqual((await slow.request('GET', `/sessions/${id}/running`)).json, { running: true });
      const early = await slow.request('POST', `/sessions/${id}/approve`);
      assert.equal(early.status, 409);

      const cancelled = await slow.request('POST', `/sessions/${id}/cancel`);
      assert.equal(cancelled.status, 200, cancelled.text);
      assert.equal(cancelled.json.status, 'cancelled');
      assert.deepEqual((await slow.request('GET', `/sessions/${id}/running`)).json, { running: false });
      const twice = await slow.request('POST', `/sessions/${id}/cancel`);
      assert.equal(twice.status, 409);
      assert.equal(twice.json.error.code, 'invalid_operation');
    } finally {
      release.open();
      await slow.close();
    }
  });
});
