/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Link } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Worker } from '@temporalio/worker';
import { startTracing, type Tracing } from '../../src/tracing/tracing';
import { GatewayHarness } from '../gateway/gateway-harness';
import { sharedTestServer } from '../helpers/test-server';
import { traceHeadersInHistory } from './trace-history';

const ENGINEER_ACTIVITIES = ['engineerStart', 'engineerLoopBegin', 'engineerModelTurn', 'engineerTool', 'engineerLoopFinish', 'engineer'];

void describe('traces from the gateway request through the workflow to each activity', () => {
  // The in-memory exporter stands in for an OTLP collector: the same span processor path, spans kept in memory.
  const collector = new InMemorySpanExporter();
  let tracing: Tracing;
  let gw: GatewayHarness;
  before(async () => {
    tracing = startTracing({ spanProcessor: new SimpleSpanProcessor(collector) });
    gw = await GatewayHarness.start({ config: { maxActiveSessions: 10_000 } });
  });
  after(async () => {
    await gw.close();
    await tracing.shutdown();
  });

  /** Spans seen so far, waiting until `ready` holds (workflow spans arrive through the worker's sink after each task). */
  async function spansUntil(ready: (spans: ReadableSpan[]) => boolean, timeoutMs = 20_000): Promise<ReadableSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const spans = collector.getFinishedSpans();
      if (ready(spans)) return spans;
      await sleep(50);
    }
    return collector.getFinishedSpans();
  }

  void test("the approve request's HTTP span is linked to each engineer activity's span (a span link into the approve trace)", async () => {
    const started = await gw.request('POST', '/sessions', { body: { user_mission: 'Build a URL shortener' } });
    assert.equal(started.status, 201);
    const id = started.json.session_id as string;
    await gw.waitForStatus(id, 'awaiting_approval');
    const approved = await gw.request('POST', `/sessions/${id}/approve`, { body: { by: 'bob' } });
    assert.equal(approved.status, 200);
    await gw.waitForStatus(id, 'completed', 60_000);

    // The client and activity interceptors say temporalWorkflowId; workflow spans carry the workflow's info.
    const ofSession = (span: ReadableSpan): boolean => span.attributes.temporalWorkflowId === id || span.attributes.workflowId === id;
    const spans = await spansUntil((all) => all.some((s) => ofSession(s) && s.name === 'RunWorkflow:sessionWorkflow'));
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const ancestors = (span: ReadableSpan): ReadableSpan[] => {
      const chain: ReadableSpan[] = [];
      for (let parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined; parent; parent = parent.parentSpanId ? byId.get(parent.parentSpanId) : undefined) chain.push(parent);
      return chain;
    };

    const startHttp = spans.find((s) => s.name === 'POST /sessions' && s.attributes['url.path'] === '/sessions');
    const approveHttp = spans.find((s) => s.name === 'POST /sessions/:id/approve' && s.attributes['url.path'] === `/sessions/${id}/approve`);
    assert.ok(startHttp && approveHttp, `HTTP spans: ${spans.filter((s) => s.name.startsWith('POST')).map((s) => s.name).join(', ')}`);
    assert.equal(approveHttp.attributes['http.response.status_code'], 200);

    // What the SDK gives: one trace per client call. The approve request's trace holds the update, its
    // validation and its handler in the workflow...
    const handleUpdate = spans.find((s) => s.name === 'HandleUpdate:approve' && ofSession(s));
    assert.ok(handleUpdate, 'the workflow traced the approve update');
    assert.ok(ancestors(handleUpdate).includes(approveHttp), 'HandleUpdate:approve descends from the approve HTTP span');
    // ...while the workflow run and every activity belong to the trace of the request that started the session.
    const engineerRuns = spans.filter((s) => ENGINEER_ACTIVITIES.some((name) => s.name === `RunActivity:${name}`) && ofSession(s));
    assert.ok(engineerRuns.length > 0, `engineer activity spans; RunActivity spans: ${spans.filter((s) => s.name.startsWith('RunActivity')).map((s) => s.name).join(', ')}`);
    for (const run of engineerRuns) {
      assert.equal(run.spanContext().traceId, startHttp.spanContext().traceId, `${run.name} is in the start request's trace`);
      assert.ok(ancestors(run).some((span) => span.name === 'RunWorkflow:sessionWorkflow'), `${run.name} descends from the workflow run`);
    }

    // Ours on top: a span link from every engineer activity (and its StartActivity span) to the approve handler.
    for (const run of engineerRuns) {
      const link: Link | undefined = run.links.find((l) => l.context.spanId === handleUpdate.spanContext().spanId);
      assert.ok(link, `${run.name} links to HandleUpdate:approve`);
      assert.equal(link.context.traceId, approveHttp.spanContext().traceId, `${run.name}'s link is into the approve request's trace`);
      assert.equal(link.attributes?.['temporal.cause'], 'update:approve');
      const startActivity = run.parentSpanId ? byId.get(run.parentSpanId) : undefined;
      assert.ok(startActivity?.links.some((l) => l.context.spanId === handleUpdate.spanContext().spanId), `${run.name}'s StartActivity span links too`);
    }
    // Before the approval nothing caused the PM's activity but the start: no link there.
    const pm = spans.find((s) => s.name === 'RunActivity:pm' && ofSession(s));
    assert.ok(pm);
    assert.deepEqual(pm.links, []);

    const headers = await traceHeadersInHistory(gw.sessions.client, id);
    assert.equal(headers.started, true, 'the start carried the trace context into history');
    assert.ok(headers.scheduled.length > 0 && headers.scheduled.every(Boolean), 'every scheduled activity carried it');
    // The traced path is deterministic too: its history replays against the suite's bundle.
    const history = await gw.sessions.client.workflow.getHandle(id).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: (await sharedTestServer()).bundlePath } }, history, id);
  });
});
