import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { runPm } from '../helpers/agents';
import { GatewayHarness, metricValue } from './gateway-harness';

test('model tokens of every session, open or closed, are exported per phase, model and kind, each session once', async () => {
  // The PM here reports the usage a model provider would (the provider itself is tested in tests/providers). The
  // figures are the namespace's, shared with other test files: a model name of this test's own keeps them apart.
  const model = `stand-in-model-${randomUUID()}`;
  const series = (kind: string): string => `model_tokens_total{phase="pm",model="${model}",kind="${kind}"}`;
  const harness = await GatewayHarness.start({
    activities: {
      pm: async (input) => ({
        ...(await runPm(input)),
        usage: { promptTokens: 120, completionTokens: 30, totalTokens: 150, requests: 1, model },
      }),
    },
  });
  try {
    const created = await harness.request('POST', '/sessions', { body: { user_mission: 'Build a token counter' } });
    const id = (created.json as { session_id: string }).session_id;
    await harness.waitForStatus(id, 'awaiting_approval');
    const open = await harness.scrapeUntil((scraped) => metricValue(scraped, series('prompt')) !== null, 60_000);
    assert.equal(metricValue(open, series('prompt')), 120, 'counted while the session is open');
    await harness.request('POST', `/sessions/${id}/approve`, { body: {} });
    await harness.waitForStatus(id, 'completed');

    const text = await harness.scrapeUntil((scraped) => /sessions_by_status\{status="completed"\} [1-9]/.test(scraped), 60_000);
    assert.equal(metricValue(text, series('prompt')), 120, 'and once when it closed');
    assert.equal(metricValue(text, series('completion')), 30);

    const again = (await harness.request('GET', '/metrics', { unchecked: true })).text;
    assert.equal(
      metricValue(again, series('prompt')),
      120,
      'each session is counted once',
    );
  } finally {
    await harness.close();
  }
});
