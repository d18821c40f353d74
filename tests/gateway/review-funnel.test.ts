/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are plain JSON here */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SearchAttributeKeys } from '../../workflows/definitions';
import { GatewayHarness, metricValue } from './gateway-harness';

/** The figures of the review funnel that count over every session (other tests share the namespace: deltas, at least). */
function funnelFigures(text: string): { pm: number; architect: number; waited: number } {
  return {
    pm: metricValue(text, 'rejections_by_target_total{reject_to="pm"}') ?? 0,
    architect: metricValue(text, 'rejections_by_target_total{reject_to="architect"}') ?? 0,
    waited: metricValue(text, 'review_waited_sessions{over_seconds="0"}') ?? 0,
  };
}

void describe('the review funnel over every session', () => {
  let gw: GatewayHarness;
  before(async () => {
    gw = await GatewayHarness.start({ config: { maxActiveSessions: 10_000 } });
  });
  after(() => gw.close());

  void test('each decision is marked on the session, and the metrics count rejections by target and the time waited', async () => {
    const before = funnelFigures(await gw.scrapeUntil(() => true));
    const { json } = await gw.request('POST', '/sessions', { body: { user_mission: 'Build a todo API' } });
    const id = json.session_id as string;
    await gw.waitForStatus(id, 'awaiting_approval');
    assert.equal((await gw.request('POST', `/sessions/${id}/reject`, { body: { feedback: 'Name the users', reject_to: 'pm' } })).status, 200);
    await gw.waitFor(id, (info) => info.status === 'awaiting_approval' && info.review_round === 2);
    assert.equal((await gw.request('POST', `/sessions/${id}/reject`, { body: { feedback: 'Add paging', reject_to: 'architect' } })).status, 200);
    await gw.waitFor(id, (info) => info.status === 'awaiting_approval' && info.review_round === 3);
    assert.equal((await gw.request('POST', `/sessions/${id}/approve`, { body: {} })).status, 200);
    await gw.waitForStatus(id, 'completed');

    const described = await gw.sessions.client.workflow.getHandle(id).describe();
    assert.deepEqual(described.typedSearchAttributes.get(SearchAttributeKeys.reviewMarks), ['rejected:pm:1', 'rejected:architect:1', 'approved']);
    const waited = described.typedSearchAttributes.get(SearchAttributeKeys.reviewWaitSeconds) ?? 0;
    assert.ok(waited > 0 && waited < 600, `seconds waited over three rounds: ${waited}`);

    const after = funnelFigures(
      await gw.scrapeUntil((text) => {
        const now = funnelFigures(text);
        return now.pm >= before.pm + 1 && now.architect >= before.architect + 1 && now.waited >= before.waited + 1;
      }),
    );
    assert.ok(after.pm >= before.pm + 1 && after.architect >= before.architect + 1);
  });
});
