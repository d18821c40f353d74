import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { passThroughHoldingSummary, recapOfFailures, recapReporterArgs } from './helpers/failure-recap';

/** A small test file run by a real node:test child: one nested failure, one passing test, one top-level failure. */
const FIXTURE = `
const { describe, test } = require('node:test');
const assert = require('node:assert');
describe('outer suite', () => {
  describe('inner', () => {
    test('fails here', () => { assert.strictEqual(1, 2, 'one is not two'); });
    test('passes', () => {});
  });
});
test('top fails', () => { throw new Error('boom'); });
`;

/** The environment without node:test's marker of a test child, which would make the fixture's runner skip its file. */
function withoutTestContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _marker, ...rest } = env;
  return rest;
}

void describe("npm test's recap of failed tests", () => {
  void test('each failed test is named from its outermost suite, with its message, just above the summary', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'suite-report-'));
    try {
      const file = path.join(dir, 'fixture.test.js');
      const failures = path.join(dir, 'failures.ndjson');
      await writeFile(file, FIXTURE);
      const child = spawn(process.execPath, ['--test', ...recapReporterArgs(failures), file], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: withoutTestContext(process.env),
      });
      const printed: string[] = [];
      const tap = passThroughHoldingSummary(child.stdout, (line) => printed.push(line));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      await tap.finish(recapOfFailures(await readFile(failures, 'utf8'), dir));

      assert.equal(code, 1);
      const recapAt = printed.indexOf('# failed: 2 tests');
      assert.ok(recapAt > 0, 'the recap is printed');
      assert.deepEqual(printed.slice(recapAt + 1, recapAt + 3), ['#   ✖ fixture.test.js: outer suite › inner › fails here', '#       one is not two']);
      assert.ok(printed.includes('#   ✖ fixture.test.js: top fails'), 'a top-level test is named alone');
      assert.ok(!printed.some((line) => line.includes('✖') && /› passes|inner$/.test(line)), 'neither the passing test nor the suite that failed only through it');
      const summary = printed.slice(printed.findIndex((line) => line.startsWith('# tests ')));
      assert.ok(summary.length >= 6 && summary.every((line) => /^# \w+ [\d.]+$/.test(line)), `the summary comes last: ${summary.join(' | ')}`);
      assert.ok(printed.indexOf('# tests 3') > recapAt);
      assert.ok(printed.includes('# fail 2'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void test('nothing is recapped when nothing failed', () => {
    assert.deepEqual(recapOfFailures('', '/'), []);
  });
});
