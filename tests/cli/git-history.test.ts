import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type CliResult, CliStack } from './cli-harness';

const exec = promisify(execFile);
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

function ok(result: CliResult): CliResult {
  assert.equal(result.code, 0, `exit 0 expected:\n${result.stdout}\n${result.stderr}`);
  return result;
}

void describe('the CLI reads a session’s git history', () => {
  let stack: CliStack;
  let tmp: string;
  before(async () => {
    stack = await CliStack.start();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cli-git-'));
  });
  after(async () => {
    await stack.close();
    await rm(tmp, { recursive: true, force: true });
  });

  void test('orchestrator diff prints a phase’s change, refuses a bad ref (exit 2); export writes a bundle git clones', async () => {
    const started = ok(await stack.run(['start', 'Build a notes app']));
    const id = /Started (sess_\S+):/.exec(started.stdout)?.[1];
    assert.ok(id, started.stdout);
    ok(await stack.run(['watch', id, '--interval', '100']));
    ok(await stack.run(['approve', id, '--round', '1']));
    await stack.waitFor(id, (s) => s.status === 'completed', 60_000);

    const newest = ok(await stack.run(['diff', id]));
    assert.match(newest.stdout, /^diff --git a\/docs\/BUG_REPORT\.md b\/docs\/BUG_REPORT\.md$/m, 'QA’s commit by default');
    const tagged = ok(await stack.run(['diff', id, '--to', 'review-1-approved']));
    assert.match(tagged.stdout, /TECH_SPEC\.md/, 'the approved architect commit');
    const json = ok(await stack.run(['--json', 'diff', id, '--from', 'main~3', '--to', 'main']));
    assert.match((JSON.parse(json.stdout) as { diff: string }).diff, /PRD\.md|TECH_SPEC\.md/);
    const bad = await stack.run(['diff', id, '--from', '--upload-pack=x']);
    assert.notEqual(bad.code, 0);
    const worse = await stack.run(['diff', id, '--to', 'a b']);
    assert.equal(worse.code, 2, worse.stderr);
    assert.match(worse.stderr, /validation|to/);
    const unknown = await stack.run(['diff', id, '--to', 'review-7-approved']);
    assert.equal(unknown.code, 3, unknown.stderr);

    const file = path.join(tmp, 'notes.bundle');
    const exported = ok(await stack.run(['export', id, '-o', file]));
    assert.match(exported.stdout, /git clone/);
    assert.deepEqual((await readdir(tmp)).sort(), ['notes.bundle'], 'no temp file left');
    await exec('git', ['clone', '--quiet', file, 'notes'], { cwd: tmp, env: GIT_ENV });
    const log = (await exec('git', ['log', '--reverse', '--format=%an'], { cwd: path.join(tmp, 'notes'), env: GIT_ENV })).stdout;
    assert.deepEqual(log.trim().split('\n'), ['pm', 'architect', 'engineer', 'qa']);
    const missing = await stack.run(['export', 'sess_nobody', '-o', path.join(tmp, 'x.bundle')]);
    assert.equal(missing.code, 3, missing.stderr);
  });
});
