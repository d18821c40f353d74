import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExitCode, exitCodeForStatus } from '../../src/cli/exit-codes';
import { duration, table } from '../../src/cli/render';
import * as vocabulary from '../../src/cli/vocabulary';
import { ArtifactNameSchema } from '../../src/gateway/schemas';
import { FINAL_STATUSES, REJECT_TARGETS, SessionStatus } from '../../workflows/definitions';

void describe('CLI parts that need no server', () => {
  void test("the CLI's own word lists match the session contract (it does not import the Temporal SDK to start fast)", () => {
    assert.deepEqual([...vocabulary.STATUSES], Object.values(SessionStatus));
    assert.deepEqual([...vocabulary.FINAL_STATUSES], [...FINAL_STATUSES]);
    assert.deepEqual([...vocabulary.REJECT_TARGETS], [...REJECT_TARGETS]);
    assert.deepEqual([...vocabulary.ARTIFACT_NAMES], ArtifactNameSchema.options);
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

  void test('durations and tables read well', () => {
    assert.deepEqual([duration(850), duration(12_340), duration(245_000), duration(7_800_000), duration(270_000_000)], ['850ms', '12.3s', '4m05s', '2h10m', '3d3h']);
    assert.deepEqual(table([['a', 'bb', 'c'], ['ccc', 'd', '']]), ['a    bb  c', 'ccc  d']);
  });
});
