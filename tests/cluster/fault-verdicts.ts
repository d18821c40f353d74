import assert from 'node:assert/strict';
import type { SessionVerdict } from './session-check';

/** Totals over judged sessions, as the "Proven here" table reports them. */
export interface VerdictTotals {
  sessions: number;
  lost: number;
  duplicatedLines: number;
  extraRevisions: number;
  artifactMismatches: number;
  wrongIterations: number;
}

export function totals(verdicts: SessionVerdict[], lost: string[], expectedIterations: number | null): VerdictTotals {
  return {
    sessions: verdicts.length,
    lost: lost.length,
    duplicatedLines: verdicts.reduce((n, v) => n + v.duplicatedLines.length, 0),
    extraRevisions: verdicts.reduce((n, v) => n + v.extraRevisions.length, 0),
    artifactMismatches: verdicts.reduce((n, v) => n + v.artifactMismatches.length, 0),
    wrongIterations: expectedIterations === null ? 0 : verdicts.filter((v) => v.iterationCount !== expectedIterations).length,
  };
}

/**
 * Fails, naming the sessions, unless every session completed whole: none lost, no log line twice, the files the
 * revisions the workflow recorded, the right iteration count, and (unless `orphanRevisions` is 'report': a known
 * gap, asserted by a todo test) no revision left by a killed attempt.
 */
export function assertAllWhole(verdicts: SessionVerdict[], lost: string[], expectedIterations: number | null, options: { orphanRevisions?: 'assert' | 'report' } = {}): void {
  assert.deepEqual(lost, [], 'no session lost');
  for (const v of verdicts) {
    assert.equal(v.status, 'completed', JSON.stringify(v));
    assert.deepEqual(v.duplicatedLines, [], `${v.sessionId}: no log line twice within a phase run`);
    if (options.orphanRevisions !== 'report') assert.deepEqual(v.extraRevisions, [], `${v.sessionId}: one set of artifacts`);
    assert.deepEqual(v.artifactMismatches, [], `${v.sessionId}: the files are the revisions the workflow recorded`);
    if (expectedIterations !== null) assert.equal(v.iterationCount, expectedIterations, `${v.sessionId}: iteration count`);
  }
}
