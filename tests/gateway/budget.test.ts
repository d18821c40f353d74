import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runArchitect, runPm } from '../helpers/agents';
import type { TokenUsage } from '../../workflows/definitions';
import { GatewayHarness, metricValue } from './gateway-harness';

// What this fakes: the PM and Architect are the offline template agents, and each reports the usage a model
// provider would (150 tokens, model "stand-in-model"), so the budget's arithmetic is exact here. The budget with
// the real model server is tested in tests/providers/real-model-budget.test.ts.
const usage = (prompt: number, completion: number): TokenUsage => ({
  promptTokens: prompt,
  completionTokens: completion,
  totalTokens: prompt + completion,
  requests: 1,
  model: 'stand-in-model',
});
const activities = {
  pm: async (input: Parameters<typeof runPm>[0]) => ({ ...(await runPm(input)), usage: usage(120, 30) }),
  architect: async (input: Parameters<typeof runArchitect>[0]) => ({ ...(await runArchitect(input)), usage: usage(100, 50) }),
};

type Session = Record<string, unknown>;
const idOf = (response: { json: unknown }): string => (response.json as { session_id: string }).session_id;

void describe('a token budget pauses a session where it is, and an extension resumes it', () => {
  let harness: GatewayHarness;
  before(async () => {
    harness = await GatewayHarness.start({ activities, config: { sessionTokenBudget: 100, modelPricePerMtokIn: 2, modelPricePerMtokOut: 8 } });
  });
  after(() => harness.close());

  const start = async (mission: string): Promise<string> => idOf(await harness.request('POST', '/sessions', { body: { user_mission: mission } }));
  const paused = (id: string): Promise<Session> => harness.waitFor(id, (s) => s.status === 'paused', 60_000);

  void test('at the cap the session pauses before the next model call, counted active, with its tokens and cost', async () => {
    const id = await start('Build a budgeted API');
    const session = await paused(id);
    assert.equal(session.pause_reason, 'budget');
    assert.equal(session.current_phase, 'architect', 'it stopped before the architect, the next phase to call the model');
    assert.equal(session.tokens_used, 150, 'the PM overran the soft cap by its one call');
    assert.equal(session.token_budget, 100);
    assert.equal(session.cost, (120 * 2 + 30 * 8) / 1_000_000);

    const listed = (await harness.request('GET', '/sessions?status=paused')).json as { sessions: Session[] };
    assert.ok(listed.sessions.some((s) => s.session_id === id && s.tokens_used === 150), 'listed as paused, with its tokens');
    const history = (await harness.request('GET', `/sessions/${id}/history`)).json as { events: { kind: string }[] };
    assert.ok(history.events.some((e) => e.kind === 'paused'), 'the pause is in the audit trail');
    const logs = (await harness.request('GET', `/sessions/${id}/logs?lines=50`)).text;
    assert.match(logs, /Paused: the token budget is spent \(150 of 100 tokens\)/);

    const metrics = await harness.scrapeUntil((text) => metricValue(text, 'model_tokens_total{phase="pm",model="stand-in-model",kind="prompt"}') !== null);
    assert.ok((metricValue(metrics, 'model_tokens_total{phase="pm",model="stand-in-model",kind="prompt"}') ?? 0) >= 120, 'a paused session’s tokens are counted');
    assert.ok((metricValue(metrics, 'sessions_by_status{status="paused"}') ?? 0) >= 1);
  });

  void test('an extension below what was spent keeps it paused; a retry with the same key adds nothing twice (another amount with it is a 422); a larger one resumes it to the end', async () => {
    const id = await start('Build an extended API');
    await paused(id);
    const small = await harness.request('POST', `/sessions/${id}/budget`, { body: { add_tokens: 10 }, headers: { 'Idempotency-Key': 'small-1' } });
    assert.equal(small.status, 200);
    assert.equal((small.json as Session).status, 'paused');
    assert.equal((small.json as Session).token_budget, 110);
    const again = await harness.request('POST', `/sessions/${id}/budget`, { body: { add_tokens: 10 }, headers: { 'Idempotency-Key': 'small-1' } });
    assert.equal(again.status, 200);
    assert.equal((again.json as Session).token_budget, 110, 'the same key applies once');
    const otherAmount = await harness.request('POST', `/sessions/${id}/budget`, { body: { add_tokens: 20 }, headers: { 'Idempotency-Key': 'small-1' } });
    assert.equal(otherAmount.status, 422, 'the same key with another amount is refused, not answered with the first outcome');
    assert.equal((otherAmount.json as { error: { code: string } }).error.code, 'idempotency_key_reused');
    assert.match((otherAmount.json as { error: { message: string } }).error.message, /already used on session .* with other content; the first request’s outcome stands/);
    assert.equal(((await harness.request('GET', `/sessions/${id}`)).json as Session).token_budget, 110, 'nothing was added');

    const big = await harness.request('POST', `/sessions/${id}/budget`, { body: { add_tokens: 1000, by: 'alice' } });
    assert.equal(big.status, 200);
    assert.equal((big.json as Session).status, 'running');
    assert.equal((big.json as Session).pause_reason, null);
    assert.equal((big.json as Session).token_budget, 1110);

    const review = await harness.waitFor(id, (s) => s.status === 'awaiting_approval', 60_000);
    assert.equal(review.tokens_used, 300, 'the architect ran where the session had stopped');
    const during = await harness.request('POST', `/sessions/${id}/budget`, { body: { add_tokens: 5 } });
    assert.equal(during.status, 200, 'allowed in review too');
    assert.equal((during.json as Session).status, 'awaiting_approval');
    await harness.request('POST', `/sessions/${id}/approve`, { body: {} });
    const done = await harness.waitFor(id, (s) => s.status === 'completed', 60_000);
    assert.equal(done.token_budget, 1115);

    const history = (await harness.request('GET', `/sessions/${id}/history`)).json as { events: { kind: string; by?: string; add_tokens?: number }[] };
    const extensions = history.events.filter((e) => e.kind === 'budget_extended');
    assert.deepEqual(extensions.map((e) => e.add_tokens), [10, 1000, 5]);
    assert.equal(extensions[1]?.by, 'alice');
    assert.equal(history.events.filter((e) => e.kind === 'resumed').length, 1);

    const ended = await harness.request('POST', `/sessions/${id}/budget`, { body: { add_tokens: 5 } });
    assert.equal(ended.status, 409);
    assert.equal((ended.json as { error: { code: string } }).error.code, 'invalid_operation');
    assert.match((ended.json as { error: { message: string } }).error.message, /already ended with status completed/);
  });

  void test('bad extensions are refused with a clear 400 and change nothing', async () => {
    const id = await start('Build a validated API');
    await paused(id);
    for (const body of [{}, { add_tokens: 0 }, { add_tokens: -5 }, { add_tokens: 1.5 }, { add_tokens: '100' }, { add_tokens: 10, extra: true }, { add_tokens: 2_000_000_000 }]) {
      const response = await harness.request('POST', `/sessions/${id}/budget`, { body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal((response.json as { error: { code: string } }).error.code, 'validation_error', JSON.stringify(body));
    }
    const unknown = await harness.request('POST', '/sessions/sess_doesnotexist0000000000/budget', { body: { add_tokens: 5 } });
    assert.equal(unknown.status, 404);
    const session = (await harness.request('GET', `/sessions/${id}`)).json as Session;
    assert.equal(session.token_budget, 100);
    assert.equal(session.status, 'paused');
  });

  void test('cancel works while paused', async () => {
    const id = await start('Build a cancelled API');
    await paused(id);
    const cancelled = await harness.request('POST', `/sessions/${id}/cancel`, { body: {} });
    assert.equal(cancelled.status, 200);
    assert.equal((cancelled.json as Session).status, 'cancelled');
  });
});

void test('a paused session nobody extends ends expired after the session TTL; a session without a budget has nothing to extend', async () => {
  const harness = await GatewayHarness.start({ activities, config: { sessionTokenBudget: 100, sessionTtlDays: 3 / 86_400 } });
  const unlimited = await GatewayHarness.start({ activities });
  try {
    const id = idOf(await harness.request('POST', '/sessions', { body: { user_mission: 'Build a forgotten API' } }));
    await harness.waitFor(id, (s) => s.status === 'paused', 60_000);
    const expired = await harness.waitFor(id, (s) => s.status === 'expired', 60_000);
    assert.equal(expired.current_phase, 'architect');
    const logs = (await harness.request('GET', `/sessions/${id}/logs?lines=50`)).text;
    assert.match(logs, /Session expired: paused at its token budget/);

    const free = idOf(await unlimited.request('POST', '/sessions', { body: { user_mission: 'Build an unlimited API' } }));
    const review = await unlimited.waitFor(free, (s) => s.status === 'awaiting_approval', 60_000);
    assert.equal(review.token_budget, null);
    assert.equal(review.tokens_used, 300);
    assert.equal(review.cost, null, 'no prices, no cost');
    const refused = await unlimited.request('POST', `/sessions/${free}/budget`, { body: { add_tokens: 5 } });
    assert.equal(refused.status, 409);
    assert.match((refused.json as { error: { message: string } }).error.message, /has no token budget/);
  } finally {
    await Promise.all([harness.close(), unlimited.close()]);
  }
});
