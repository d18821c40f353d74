import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runPm } from '../helpers/agents';
import { type CliResult, CliStack } from './cli-harness';

function ok(result: CliResult): CliResult {
  assert.equal(result.code, 0, `exit 0 expected:\n${result.stdout}\n${result.stderr}`);
  return result;
}

// What this fakes: the PM is the offline template agent and reports the usage a model provider would (150 tokens).
void describe('the CLI extends a token budget', () => {
  let stack: CliStack;
  before(async () => {
    stack = await CliStack.start({
      config: { sessionTokenBudget: 100 },
      activities: {
        pm: async (input) => ({ ...(await runPm(input)), usage: { promptTokens: 120, completionTokens: 30, totalTokens: 150, requests: 1, model: 'stand-in-model' } }),
      },
    });
  });
  after(() => stack.close());

  void test('watch stops at the pause and says how to resume; budget --add raises the cap and resumes; a bad amount is a usage error', async () => {
    const started = ok(await stack.run(['start', 'Build a budgeted bookmarks API']));
    const id = /Started (sess_\S+):/.exec(started.stdout)?.[1];
    assert.ok(id, started.stdout);
    const watched = ok(await stack.run(['watch', id, '--interval', '100']));
    assert.match(watched.stdout, /paused · architect/);
    assert.match(watched.stdout, new RegExp(`orchestrator budget ${id} --add <tokens>`));

    const status = ok(await stack.run(['status', id]));
    assert.match(status.stdout, /^Tokens\s+150 of 100$/m);
    assert.match(status.stdout, /^Paused\s+the token budget is spent/m);

    const small = ok(await stack.run(['budget', id, '--add', '10', '--by', 'carol']));
    assert.match(small.stdout, /raised by 10 to 110 tokens \(150 spent\): still paused/);
    const bad = await stack.run(['budget', id, '--add', 'lots']);
    assert.equal(bad.code, 2, bad.stderr);

    const big = ok(await stack.run(['budget', id, '--add', '1000']));
    assert.match(big.stdout, /raised by 1000 to 1110 tokens \(150 spent\): running · architect/);
    ok(await stack.run(['watch', id, '--interval', '100']));
    assert.match(ok(await stack.run(['status', id])).stdout, /^Status\s+awaiting_approval$/m);
  });
});
