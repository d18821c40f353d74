import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bugReport, judgeTestRun } from '../../activities/qa/bug-report';
import { failingTestNames, parseTestCounts } from '../../activities/qa/test-counts';
import type { ChildResult } from '../../activities/runner/run-child';

const TAP = ['TAP version 13', 'ok 1 - adds', 'not ok 2 - subtracts', '  ---', '  ...', '1..2', '# tests 2', '# pass 1', '# fail 1', '# skipped 0', '# todo 0'].join('\n');

void test('test counts from node:test TAP and spec, Jest, pytest and the plain closing line', () => {
  assert.deepEqual(parseTestCounts(TAP), { total: 2, passed: 1, failed: 1, skipped: 0 });
  assert.deepEqual(parseTestCounts('ℹ tests 3\nℹ pass 3\nℹ fail 0\nℹ skipped 0'), { total: 3, passed: 3, failed: 0, skipped: 0 });
  assert.deepEqual(parseTestCounts('Tests:       1 failed, 4 passed, 5 total'), { total: 5, passed: 4, failed: 1, skipped: 0 });
  assert.deepEqual(parseTestCounts('===== 2 passed, 1 failed in 0.12s ====='), { total: 3, passed: 2, failed: 1, skipped: 0 });
  assert.deepEqual(parseTestCounts('7 passed, 0 failed'), { total: 7, passed: 7, failed: 0, skipped: 0 });
  assert.equal(parseTestCounts('no summary here'), null);
  assert.deepEqual(failingTestNames(TAP), ['subtracts']);
});

function run(overrides: Partial<ChildResult>): ChildResult {
  return { exitCode: 0, signal: null, timedOut: false, durationMs: 1234, output: '', outputBytes: 0, truncated: false, isolation: 'bwrap', user: 'nobody', ...overrides };
}

void test('the verdict: exit code, failures, no tests and timeouts', () => {
  assert.equal(judgeTestRun(run({}), { total: 3, passed: 3, failed: 0, skipped: 0 }).passed, true);
  assert.equal(judgeTestRun(run({ exitCode: 1, output: TAP }), parseTestCounts(TAP)).summary, '1 passed, 1 failed; first failure: subtracts');
  assert.equal(judgeTestRun(run({}), { total: 0, passed: 0, failed: 0, skipped: 0 }).summary, 'no tests ran');
  assert.match(judgeTestRun(run({ exitCode: null, timedOut: true }), null).summary, /timed out after 1\.2 s and were killed/);
  assert.equal(judgeTestRun(run({ exitCode: 2 }), null).passed, false);
});

void test('a failing report has the result, counts, failing tests and the trimmed output tail', () => {
  const output = `${Array.from({ length: 400 }, (_, i) => `noise ${i}`).join('\n')}\n${TAP}`;
  const failed = run({ exitCode: 1, output, outputBytes: output.length });
  const report = bugReport({ sessionId: 'sess_x', iteration: 2, command: 'npm test', run: failed, verdict: judgeTestRun(failed, parseTestCounts(output)), analysis: 'Check subtract.' });
  assert.match(report, /^# Bug Report/);
  assert.match(report, /\*\*Result:\*\* FAIL \(1 passed, 1 failed; first failure: subtracts\)/);
  assert.match(report, /Tests: 2 total, 1 passed, 1 failed, 0 skipped/);
  assert.match(report, /## Failing tests\n\n- subtracts/);
  assert.match(report, /earlier output trimmed/);
  assert.doesNotMatch(report, /noise 10\n/, 'the head of a long output is trimmed');
  assert.match(report, /## Analysis\n\nCheck subtract\./);
});
