/** The cluster checks' own judges can fail: duplicate detection in the session log, and the fault worker's settings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config';
import { parsePhaseNumbers } from './fault-worker';
import { duplicatedLines } from './session-check';

test('duplicatedLines: a line twice within one phase run is flagged; the same line in a later run of the phase is not', () => {
  const log = [
    '2026-01-01T00:00:00.000Z [pm] Wrote docs/PRD.md',
    '2026-01-01T00:00:01.000Z [architect] Wrote docs/TECH_SPEC.md',
    '2026-01-01T00:00:02.000Z [review] Rejected to pm: more',
    '2026-01-01T00:00:03.000Z [pm] Wrote docs/PRD.md',
    '2026-01-01T00:00:04.000Z [engineer] Wrote src/index.js',
    '2026-01-01T00:01:04.000Z [engineer] Wrote src/index.js',
  ].join('\n');
  assert.deepEqual(duplicatedLines(log), ['[engineer] Wrote src/index.js']);
  assert.deepEqual(duplicatedLines(log.split('\n').slice(0, 5).join('\n')), []);
});

test('the fault worker refuses a setting that is not <phase>=<integer>', () => {
  assert.deepEqual(parsePhaseNumbers('FAULT_PAUSE_MS', 'pm=2500, qa=0'), { pm: 2500, qa: 0 });
  assert.deepEqual(parsePhaseNumbers('FAULT_PAUSE_MS', undefined), {});
  assert.throws(() => parsePhaseNumbers('FAULT_PAUSE_MS', 'review=10'), ConfigError);
  assert.throws(() => parsePhaseNumbers('FAULT_FAIL_ATTEMPTS', 'qa=-1'), /FAULT_FAIL_ATTEMPTS: "qa=-1"/);
});
