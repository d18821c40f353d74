import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ModelRecord, ToolRecord } from '../../activities/engineer-loop/transcript';
import { SessionWorkspace } from '../../activities/workspace';
import { type ClaimedModelServer, claimModelServer, REAL_MODEL_TIMEOUT_MS, realModelEnv } from '../helpers/model-server';
import { type LoopFixture, loopFixture, loopSteps } from './loop-fixture';
import { LoopWorker } from './loop-worker';

/**
 * The loop against the suite's real model (SmolLM2-135M through llama.cpp's OpenAI-compatible server), driven
 * by the test workflow on a real worker. It checks the plumbing, not the model's judgement: each turn is a real
 * request whose reply is a valid action, and the tool step carried it out in the work directory.
 */
void describe('the Engineer loop with a real model', { timeout: REAL_MODEL_TIMEOUT_MS }, () => {
  let server: ClaimedModelServer;
  let fixture: LoopFixture;
  before(async () => {
    server = await claimModelServer();
    fixture = await loopFixture('Build a tip calculator');
  });
  after(async () => {
    server.release();
    await fixture.remove();
  });

  void test('three real model calls (done withheld for two) whose actions are valid and carried out', { timeout: REAL_MODEL_TIMEOUT_MS }, async (t) => {
    const env = realModelEnv(server, { AGENT_MAX_TURNS: '3', AGENT_MIN_TURNS: '2', AGENT_ACTION_FORMAT: 'json' });
    const worker = await LoopWorker.start(loopSteps(env));
    try {
      const run = await worker.run(fixture.input);
      const finished = run.result.finished!;
      assert.equal(finished.turns, 3, 'done is offered only on the last turn, so the loop runs all three');
      assert.ok(finished.usage && finished.usage.requests >= 3, 'every turn made a real request');
      assert.equal(finished.usage?.model, server.model);

      const carriedOut: string[] = [];
      for (let turn = 1; turn <= finished.turns; turn += 1) {
        const model = JSON.parse(await fixture.read(`logs/agent/iter-1/turn-${String(turn).padStart(4, '0')}-model.json`)) as ModelRecord;
        const tool = JSON.parse(await fixture.read(`logs/agent/iter-1/turn-${String(turn).padStart(4, '0')}-tool.json`)) as ToolRecord;
        assert.ok(model.usage && model.usage.completionTokens > 0, `turn ${turn} was answered by the model`);
        if (turn <= 2) assert.notEqual(model.action?.tool, 'done', 'done is withheld for two turns');
        if (!model.action) continue;
        assert.doesNotMatch(tool.summary, /invalid action/);
        assert.ok(tool.summary.startsWith(`turn ${turn}: `));
        for (const artifact of tool.artifacts) {
          assert.equal((await new SessionWorkspace(fixture.workDir).describeFile('code', artifact.path))?.sha256, artifact.sha256, `${artifact.path} is what the tool wrote`);
        }
        carriedOut.push(tool.summary);
      }
      t.diagnostic(`model turns carried out: ${carriedOut.join(' | ')}; tokens ${finished.usage?.totalTokens} in ${finished.usage?.requests} requests; history ${run.historyBytes} bytes`);
      assert.ok(carriedOut.length >= 3, `valid, carried-out actions: ${carriedOut.length} of ${finished.turns}`);
      assert.doesNotMatch(run.historyJson, /You are the software engineer|Product Requirements/, 'no prompt or document in history');
      assert.match(await fixture.read('logs/session.log'), /\[engineer\] turn 1: openai chose .*prompt \+ \d+ completion tokens/);
    } finally {
      await worker.stop();
    }
  });
});
