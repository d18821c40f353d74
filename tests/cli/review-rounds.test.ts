import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CliResult, CliStack } from './cli-harness';

function ok(result: CliResult): CliResult {
  assert.equal(result.code, 0, `exit 0 expected:\n${result.stdout}\n${result.stderr}`);
  return result;
}

void describe('the CLI names review rounds', () => {
  let stack: CliStack;
  before(async () => {
    stack = await CliStack.start({ config: { maxActiveSessions: 10_000 } });
  });
  after(() => stack.close());

  void test('status and artifacts print the round; --round refuses a stale one; a decision says which round and documents it applied to', async () => {
    const started = ok(await stack.run(['start', 'Build a bookmarks API']));
    const id = /Started (sess_\S+):/.exec(started.stdout)?.[1];
    assert.ok(id, started.stdout);
    ok(await stack.run(['watch', id, '--interval', '100']));

    const status = ok(await stack.run(['status', id]));
    assert.match(status.stdout, /^Review round\s+1 \(open: decide with --round 1\)$/m);
    const artifacts = ok(await stack.run(['artifacts', id]));
    assert.match(artifacts.stdout, /^review_round\s+1 \(open/m);

    const rejected = ok(await stack.run(['reject', id, '--feedback', 'Add folders', '--round', '1', '--by', 'alice']));
    assert.match(rejected.stdout, /^Applied to review round 1: prd [0-9a-f]{12}, tech_spec [0-9a-f]{12}, scaffold [0-9a-f]{12}$/m);
    ok(await stack.run(['watch', id, '--interval', '100']));

    const stale = await stack.run(['approve', id, '--round', '1']);
    assert.equal(stale.code, 4, `a stale round is an invalid operation:\n${stale.stdout}\n${stale.stderr}`);
    assert.match(stale.stderr, /review round 1 .*review round 2 is open/);
    const bad = await stack.run(['approve', id, '--round', 'two']);
    assert.equal(bad.code, 2, bad.stderr);

    const approved = ok(await stack.run(['approve', id, '--by', 'bob']));
    assert.match(approved.stdout, /^Applied to review round 2: prd [0-9a-f]{12}, tech_spec [0-9a-f]{12}, scaffold [0-9a-f]{12}$/m);
  });
});
