import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ExitCode, exitCodeForStatus } from '../../src/cli/exit-codes';
import { newLogLines } from '../../src/cli/follow';
import { duration, table } from '../../src/cli/render';

void describe('CLI parts that need no server', () => {
  void test('the CLI takes its words from workflows/vocabulary and starts without the Temporal SDK or zod', () => {
    const program = path.join(__dirname, '..', '..', 'src', 'cli', 'program.js');
    const script = `require(${JSON.stringify(program)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
    assert.ok(loaded.some((file) => file.endsWith(path.join('workflows', 'vocabulary.js'))), 'the CLI loads the vocabulary');
    assert.deepEqual(loaded.filter((file) => /node_modules[\\/](@temporalio|zod)[\\/]/.test(file)), []);
  });

  void test('HTTP statuses map to the documented exit codes', () => {
    const expected: [number, number][] = [
      [400, ExitCode.BAD_INPUT],
      [413, ExitCode.BAD_INPUT],
      [401, ExitCode.UNAUTHORIZED],
      [404, ExitCode.NOT_FOUND],
      [409, ExitCode.INVALID_OPERATION],
      [422, ExitCode.INVALID_OPERATION],
      [429, ExitCode.INVALID_OPERATION],
      [503, ExitCode.UNREACHABLE],
      [500, ExitCode.ERROR],
    ];
    for (const [status, code] of expected) assert.equal(exitCodeForStatus(status), code, String(status));
  });

  void test('logs --follow prints only the lines a later tail adds', () => {
    assert.deepEqual(newLogLines([], ['a', 'b']), ['a', 'b']);
    assert.deepEqual(newLogLines(['a', 'b', 'c'], ['a', 'b', 'c']), []);
    assert.deepEqual(newLogLines(['a', 'b', 'c'], ['b', 'c', 'd', 'e']), ['d', 'e'], 'the window moved on');
    assert.deepEqual(newLogLines(['x 1', 'y', 'x 2', 'y'], ['x 2', 'y', 'x 3', 'y']), ['x 3', 'y'], 'a repeated last line is matched with its context');
    assert.deepEqual(newLogLines(['a'], ['q', 'r']), ['q', 'r'], 'no common line: more was written than one window holds');
  });

  void test('durations and tables read well', () => {
    assert.deepEqual([duration(850), duration(12_340), duration(245_000), duration(7_800_000), duration(270_000_000)], ['850ms', '12.3s', '4m05s', '2h10m', '3d3h']);
    assert.deepEqual(table([['a', 'bb', 'c'], ['ccc', 'd', '']]), ['a    bb  c', 'ccc  d']);
  });
});
