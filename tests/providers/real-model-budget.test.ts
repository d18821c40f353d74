import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import type { SessionEvent } from '../../workflows/definitions';
import { type ClaimedModelServer, claimModelServer, REAL_MODEL_TIMEOUT_MS, realModelEnv, TEST_MAX_TOKENS } from '../helpers/model-server';
import { agentHarness } from '../providers/agent-harness';

// Against the real model (llama.cpp's server with SmolLM2-135M-Instruct): every token counted here is one the
// server reported in `usage`. Figures are printed for the note, never asserted as timings.

const PHASE_TIMEOUT_MS = 240_000;
/** A cap the PM's first request alone exceeds: its prompt is about 190 tokens. */
const CAP_TOKENS = 150;

let model: ClaimedModelServer;
before(async () => {
  model = await claimModelServer();
}, { timeout: REAL_MODEL_TIMEOUT_MS });
after(() => model.release());

const count = (events: readonly SessionEvent[], kind: SessionEvent['kind'], phase?: string): number =>
  events.filter((event) => event.kind === kind && (phase === undefined || ('phase' in event && event.phase === phase))).length;

void test('a cap of a few hundred tokens pauses the session twice where it is, and extensions resume it at the step it reached, to the end', { timeout: REAL_MODEL_TIMEOUT_MS }, async () => {
  const harness = await agentHarness(realModelEnv(model, { AGENT_MAX_TURNS: '3' }), { config: { maxIterations: 0, sessionTokenBudget: CAP_TOKENS } });
  try {
    const started = Date.now();
    let pausedMs = 0;
    const id = await harness.orchestrator.startNewSession('Build a command-line tool that counts the words in a text file', 'budget');

    // 1. The PM's call overruns the soft cap; the session stops before the architect's first model call.
    const first = await harness.waitFor(id, (info) => info.status !== SessionStatus.PENDING && info.status !== SessionStatus.RUNNING, PHASE_TIMEOUT_MS);
    let pausedAt = Date.now();
    assert.equal(first.status, SessionStatus.PAUSED, await harness.orchestrator.getRecentLogs(id, 100));
    assert.equal(first.pauseReason, 'budget');
    assert.equal(first.currentPhase, 'architect');
    const pmTokens = first.tokensUsed ?? 0;
    assert.ok(pmTokens >= CAP_TOKENS, `the PM spent ${pmTokens} tokens`);
    let state = await harness.state(id);
    const pmUsage = state.events.find((event) => event.kind === 'phase_completed' && event.phase === 'pm');
    assert.ok(pmUsage?.kind === 'phase_completed' && pmUsage.usage, 'the PM reported its usage');
    assert.equal(pmTokens, pmUsage.usage.totalTokens, 'tokens_used is what the server reported');
    assert.ok(pmTokens - CAP_TOKENS <= pmUsage.usage.requests * (pmUsage.usage.promptTokens / pmUsage.usage.requests + TEST_MAX_TOKENS), 'overrun at most one phase’s requests');
    assert.equal(count(state.events, 'phase_started', 'architect'), 0, 'the architect has not started');

    // 2. One token of room: the architect runs (and overruns), review opens, and after approval the session
    //    stops again before the Engineer's first model turn.
    await harness.orchestrator.extendBudget(id, pmTokens - CAP_TOKENS + 1, { by: 'test' });
    pausedMs += Date.now() - pausedAt;
    const review = await harness.waitFor(id, (info) => info.status === SessionStatus.AWAITING_APPROVAL, PHASE_TIMEOUT_MS);
    assert.ok((review.tokensUsed ?? 0) > pmTokens, 'the architect spent tokens too');
    await harness.orchestrator.approveAndContinue(id);
    const second = await harness.waitFor(id, (info) => info.status === SessionStatus.PAUSED, PHASE_TIMEOUT_MS);
    pausedAt = Date.now();
    assert.equal(second.currentPhase, 'engineer');
    state = await harness.state(id);
    assert.equal(count(state.events, 'agent_turn'), 0, 'paused before the first model turn');
    assert.equal(count(state.events, 'phase_completed', 'pm'), 1, 'nothing ran twice');
    assert.equal(count(state.events, 'phase_completed', 'architect'), 1);

    // 3. Room to finish: the Engineer's turns, then QA, to the session's end.
    await harness.orchestrator.extendBudget(id, 1_000_000, { by: 'test' });
    pausedMs += Date.now() - pausedAt;
    const end = await harness.waitFor(id, (info) => [SessionStatus.COMPLETED, SessionStatus.FAILED].includes(info.status), 2 * PHASE_TIMEOUT_MS);
    state = await harness.state(id);
    const logs = await harness.orchestrator.getRecentLogs(id, 400);
    assert.ok(count(state.events, 'agent_turn') >= 1, `the engineer took its turns:\n${logs}`);
    assert.equal(count(state.events, 'phase_completed', 'qa'), 1, `QA ran and judged:\n${logs}`);
    if (end.status === SessionStatus.FAILED) assert.match(state.failureReason ?? '', /^QA failed/, 'only QA’s verdict may end it otherwise');
    assert.equal(count(state.events, 'paused'), 2);
    assert.equal(count(state.events, 'resumed'), 2);
    const byPhase = (state.tokens ?? []).map((t) => `${t.phase} ${t.promptTokens}+${t.completionTokens}`).join(', ');
    console.log(
      `real model, budget ${CAP_TOKENS}: session ${end.status} (QA passed: ${end.qaPassed}), ${end.tokensUsed} tokens (${byPhase}), ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s in all of which ${(pausedMs / 1000).toFixed(1)} s paused; 2 pauses, 2 extensions`,
    );
  } finally {
    await harness.close();
  }
});
