/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are checked against the OpenAPI document by the harness. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { runPm } from '../../activities/agents/pm';
import { AgentFailureType } from '../../activities/failures';
import { createWebhookDelivery } from '../../activities/webhooks/deliver';
import { webhookBody } from '../../activities/webhooks/payload';
import { notifierWorkflowId, type WebhookEvent } from '../../workflows/webhook-definitions';
import { GatewayHarness } from '../gateway/gateway-harness';
import { WebhookReceiver } from './receiver';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const PUBLIC = 'https://orchestrator.example.com';

void describe('signed webhooks, delivered durably by a notifier workflow', () => {
  const receiver = new WebhookReceiver(SECRET);
  const own = new WebhookReceiver(SECRET);
  let harness: GatewayHarness;
  before(async () => {
    await Promise.all([receiver.start(), own.start()]);
    harness = await GatewayHarness.start({
      config: { webhookUrls: receiver.url, publicBaseUrl: PUBLIC, webhookAllowedHosts: new URL(own.url).host },
      // The worker's own settings (the secret never leaves the worker): as createActivities builds them from WEBHOOK_SECRET.
      activities: { deliverWebhook: createWebhookDelivery({ secret: SECRET, format: 'standard', timeoutMs: 10_000, configuredUrls: [receiver.url] }) },
    });
  });
  after(async () => {
    await harness.close();
    await Promise.all([receiver.stop(), own.stop()]);
  });

  const start = async (body: Record<string, unknown>): Promise<string> => {
    const created = await harness.request('POST', '/sessions', { body });
    assert.equal(created.status, 201, created.text);
    return created.json.session_id as string;
  };

  void test('review.requested and session.completed arrive signed, in order, once each, with links; refused attempts are retried and recorded', async () => {
    receiver.refuseFirst(2);
    const id = await start({ user_mission: 'Build a webhooked API', project_name: 'hooks' });
    const requested = await receiver.waitFor(id, 'review.requested');
    assert.equal(requested.body.data.review_round, 1);
    assert.equal(requested.body.data.status, 'awaiting_approval');
    assert.equal((requested.body.data.links as Record<string, string>).dashboard, `${PUBLIC}/#/sessions/${id}`);
    assert.equal((requested.body.data.links as Record<string, string>).prd, `${PUBLIC}/sessions/${id}/artifacts/prd`);
    receiver.refuseFirst(0);
    await harness.request('POST', `/sessions/${id}/approve`, { body: { review_round: 1 } });
    await receiver.waitFor(id, 'session.completed');
    const types = receiver.of(id).map((r) => r.body.type);
    assert.deepEqual(types, ['review.requested', 'session.completed'], 'in order, each once');
    assert.equal(new Set(receiver.of(id).map((r) => r.id)).size, 2, 'one webhook-id per event');
    assert.ok(receiver.refused.filter((r) => r.id === requested.id && r.status === 503).length === 2, 'the first two attempts were refused');

    const history = await harness.waitFor(id, (s) => s.status === 'completed');
    assert.equal(history.status, 'completed');
    let deliveries: { type: string; host: string; attempts: number; last_status: number; outcome: string }[] = [];
    for (let i = 0; i < 50 && deliveries.length < 2; i += 1) {
      deliveries = ((await harness.request('GET', `/sessions/${id}/history`)).json as { deliveries: typeof deliveries }).deliveries;
      if (deliveries.length < 2) await sleep(100);
    }
    assert.deepEqual(
      deliveries.map((d) => [d.type, d.host, d.attempts, d.last_status, d.outcome]),
      [
        ['review.requested', new URL(receiver.url).host, 3, 204, 'delivered'],
        ['session.completed', new URL(receiver.url).host, 1, 204, 'delivered'],
      ],
    );
    assert.ok(!JSON.stringify(deliveries).includes('receiver-secret'), 'the receiver’s query string is not recorded');
    for (const workflowId of [id, notifierWorkflowId(id)]) {
      const history = JSON.stringify(await harness.sessions.client.workflow.getHandle(workflowId).fetchHistory());
      assert.ok(!history.includes('receiver-secret') && !history.includes('/hooks/orchestrator'), `no receiver URL in ${workflowId}'s history`);
    }

    // The notifier is another workflow type: a finished session is not active however long its notifier runs.
    const notifier = await harness.sessions.client.workflow.getHandle(notifierWorkflowId(id)).describe();
    assert.equal(notifier.type, 'sessionNotifierWorkflow');
    const listed = (await harness.request('GET', '/sessions?status=completed')).json as { sessions: { session_id: string }[] };
    assert.ok(!listed.sessions.some((s) => s.session_id === notifierWorkflowId(id)));
  });

  void test('delivery latency from review.requested to the receiver, over 20 sessions (printed, not asserted)', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => start({ user_mission: `Build latency probe ${i}` })));
    const latencies: number[] = [];
    for (const id of ids) {
      const received = await receiver.waitFor(id, 'review.requested');
      latencies.push(received.at - Date.parse(received.body.timestamp));
    }
    latencies.sort((a, b) => a - b);
    const p = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    console.log(`webhooks: review.requested → receiver over ${latencies.length} sessions: p50 ${p(0.5)} ms, p90 ${p(0.9)} ms, max ${latencies.at(-1)} ms`);
    assert.equal(latencies.length, 20);
    await Promise.all(ids.map((id) => harness.request('POST', `/sessions/${id}/cancel`, { body: {} })));
  });

  void test('a receiver down across a worker restart still gets every event, once', async () => {
    await receiver.stop();
    const id = await start({ user_mission: 'Build an API while the receiver is down' });
    await harness.waitForStatus(id, 'awaiting_approval');
    await harness.sessions.stopWorker();
    await sleep(2_000);
    await harness.sessions.startWorker();
    const downFor = Date.now();
    await sleep(3_000);
    await receiver.start();
    const requested = await receiver.waitFor(id, 'review.requested', 120_000);
    console.log(`webhooks: receiver down ${((requested.at - downFor) / 1000 + 2).toFixed(1)} s across a worker restart; review.requested delivered after it came back`);
    await harness.request('POST', `/sessions/${id}/approve`, { body: {} });
    await receiver.waitFor(id, 'session.completed');
    assert.deepEqual(receiver.of(id).map((r) => r.body.type), ['review.requested', 'session.completed']);
  });

  void test('a session’s own notify_url is accepted only for an allowed host', async () => {
    const refused = await harness.request('POST', '/sessions', { body: { user_mission: 'Call elsewhere', notify_url: 'http://169.254.169.254/latest' } });
    assert.equal(refused.status, 422);
    assert.equal(refused.json.error.code, 'notify_url_not_allowed');
    assert.match(refused.json.error.message as string, /not one of WEBHOOK_ALLOWED_HOSTS/);
    const notAUrl = await harness.request('POST', '/sessions', { body: { user_mission: 'Call elsewhere', notify_url: 'file:///etc/passwd' } });
    assert.equal(notAUrl.status, 400);
    const id = await start({ user_mission: 'Build an API with its own receiver', notify_url: own.url });
    await own.waitFor(id, 'review.requested');
    await receiver.waitFor(id, 'review.requested');
    await harness.request('POST', `/sessions/${id}/cancel`, { body: {} });
    await own.waitFor(id, 'session.cancelled');
  });
});

void test('the Slack format is one text with the event, the mission and a link', () => {
  const event: WebhookEvent = {
    id: 'sess_x.1.review.requested',
    type: 'review.requested',
    at: '2026-01-01T00:00:00.000Z',
    sessionId: 'sess_x',
    userMission: 'Build a REST API',
    projectName: null,
    status: 'awaiting_approval',
    phase: 'review',
    reviewRound: 2,
    iterationCount: 1,
    reason: null,
    publicBaseUrl: PUBLIC,
  };
  assert.deepEqual(JSON.parse(webhookBody(event, 'slack')), {
    text: `*review.requested* · awaiting_approval in review, review round 2: Build a REST API. <${PUBLIC}/#/sessions/sess_x|Open it>`,
  });
  assert.equal((JSON.parse(webhookBody({ ...event, publicBaseUrl: null }, 'standard')) as { data: { links: unknown } }).data.links, null);
});

void test('a delivery that gives up is recorded and never fails the session', async () => {
  const down = new WebhookReceiver(null, 1_000_000);
  await down.start();
  const harness = await GatewayHarness.start({
    config: { webhookUrls: down.url, webhookRetryWindowSeconds: 10 },
    activities: { deliverWebhook: createWebhookDelivery({ format: 'standard', timeoutMs: 10_000, configuredUrls: [down.url] }) },
  });
  try {
    const created = await harness.request('POST', '/sessions', { body: { user_mission: 'Build an API nobody hears of' } });
    const id = created.json.session_id as string;
    await harness.waitForStatus(id, 'awaiting_approval');
    await harness.request('POST', `/sessions/${id}/approve`, { body: {} });
    const done = await harness.waitFor(id, (s) => s.status === 'completed', 60_000);
    assert.equal(done.status, 'completed');
    let deliveries: { type: string; outcome: string; last_status: number | null; attempts: number }[] = [];
    for (let i = 0; i < 300 && deliveries.length < 1; i += 1) {
      deliveries = ((await harness.request('GET', `/sessions/${id}/history`)).json as { deliveries: typeof deliveries }).deliveries;
      if (deliveries.length < 1) await sleep(100);
    }
    assert.equal(deliveries[0]?.type, 'review.requested');
    assert.equal(deliveries[0]?.outcome, 'gave_up');
    assert.equal(deliveries[0]?.last_status, 503);
    assert.ok((deliveries[0]?.attempts ?? 0) >= 2, JSON.stringify(deliveries));
  } finally {
    await harness.close();
    await down.stop();
  }
});

void test('session.retrying once when a phase starts retrying an environment fault, and session.paused at the token budget', async () => {
  const receiver = new WebhookReceiver(null);
  await receiver.start();
  let calls = 0;
  const harness = await GatewayHarness.start({
    config: { webhookUrls: receiver.url, sessionTokenBudget: 100 },
    activities: {
      deliverWebhook: createWebhookDelivery({ format: 'standard', timeoutMs: 10_000, configuredUrls: [receiver.url] }),
      // What this fakes: the model endpoint is down for two attempts, then the template PM reports a model's usage.
      pm: async (input) => {
        calls += 1;
        if (calls <= 2) {
          throw ApplicationFailure.create({ message: 'model endpoint unreachable', type: AgentFailureType.PROVIDER_UNAVAILABLE, nonRetryable: false, nextRetryDelay: 200 });
        }
        return { ...(await runPm(input)), usage: { promptTokens: 120, completionTokens: 30, totalTokens: 150, requests: 1, model: 'stand-in-model' } };
      },
    },
  });
  try {
    const created = await harness.request('POST', '/sessions', { body: { user_mission: 'Build an API on a flaky model' } });
    const id = created.json.session_id as string;
    const paused = await receiver.waitFor(id, 'session.paused');
    assert.match(String(paused.body.data.reason), /token budget spent: 150 of 100 tokens/);
    await harness.request('POST', `/sessions/${id}/cancel`, { body: {} });
    await receiver.waitFor(id, 'session.cancelled');
    assert.deepEqual(receiver.of(id).map((r) => r.body.type), ['session.retrying', 'session.paused', 'session.cancelled']);
    assert.match(String(receiver.of(id)[0]?.body.data.reason), /pm is retrying \(ProviderUnavailable\): model endpoint unreachable/);
    assert.equal(calls, 3);
  } finally {
    await harness.close();
    await receiver.stop();
  }
});

void test('session.failed is announced when a rejection exceeds the iterations', async () => {
  const receiver = new WebhookReceiver(null);
  await receiver.start();
  const harness = await GatewayHarness.start({
    config: { webhookUrls: receiver.url, maxIterations: 0 },
    activities: { deliverWebhook: createWebhookDelivery({ format: 'standard', timeoutMs: 10_000, configuredUrls: [receiver.url] }) },
  });
  try {
    const created = await harness.request('POST', '/sessions', { body: { user_mission: 'Build an API nobody wants' } });
    const id = created.json.session_id as string;
    await receiver.waitFor(id, 'review.requested');
    await harness.request('POST', `/sessions/${id}/reject`, { body: { feedback: 'No.' } });
    const failed = await receiver.waitFor(id, 'session.failed');
    assert.match(String(failed.body.data.reason), /rejected with 0 of 0 iterations used/);
    assert.deepEqual(receiver.of(id).map((r) => r.body.type), ['review.requested', 'session.failed']);
  } finally {
    await harness.close();
    await receiver.stop();
  }
});
