import type { ChildResult } from '../runner/run-child';
import { failingTestNames, type TestCounts } from './test-counts';

/** Lines of failing output a report keeps, from the end of the run. */
const REPORT_OUTPUT_LINES = 150;
const REPORT_OUTPUT_CHARS = 12_000;

/** What QA found. */
export interface QaVerdict {
  passed: boolean;
  /** One line for the audit trail. */
  summary: string;
  counts: TestCounts | null;
  failing: string[];
}

/** Judge a test run: it passes when the command exits 0 in time and no test failed (and, when counted, some ran). */
export function judgeTestRun(run: ChildResult, counts: TestCounts | null): QaVerdict {
  const failing = failingTestNames(run.output);
  const seconds = (run.durationMs / 1000).toFixed(1);
  if (run.timedOut) {
    return { passed: false, summary: `tests timed out after ${seconds} s and were killed`, counts, failing };
  }
  if (counts && counts.total === 0) return { passed: false, summary: 'no tests ran', counts, failing };
  const passed = run.exitCode === 0 && (counts === null || counts.failed === 0);
  const tally = counts ? `${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}` : null;
  if (passed) return { passed, summary: tally ?? `test command exited 0 (no counts found in ${seconds} s of output)`, counts, failing };
  const first = failing[0] ? `; first failure: ${failing[0]}` : '';
  return { passed, summary: `${tally ?? `test command exited with ${run.exitCode ?? run.signal}`}${first}`, counts, failing };
}

/** The last lines of the output, bounded in lines and characters. */
export function trimmedOutput(output: string): string {
  const lines = output.replace(/\s+$/, '').split('\n');
  let kept = lines.slice(-REPORT_OUTPUT_LINES).join('\n');
  if (kept.length > REPORT_OUTPUT_CHARS) kept = kept.slice(-REPORT_OUTPUT_CHARS);
  const dropped = lines.length > REPORT_OUTPUT_LINES || kept.length < output.trim().length;
  return dropped ? `[... earlier output trimmed ...]\n${kept}` : kept;
}

/** `docs/BUG_REPORT.md`: result, counts, the command and how it ran, failing tests and the trimmed output. */
export function bugReport(options: {
  sessionId: string;
  iteration: number;
  command: string;
  /** Where the command came from (`named by docs/TECH_SPEC.md`), when known. */
  source?: string;
  run: ChildResult;
  verdict: QaVerdict;
  analysis: string | null;
}): string {
  const { run, verdict } = options;
  const counts = verdict.counts;
  const lines = [
    '# Bug Report',
    '',
    `Session \`${options.sessionId}\`, iteration ${options.iteration}.`,
    '',
    `**Result:** ${verdict.passed ? 'PASS' : 'FAIL'} (${verdict.summary})`,
    '',
    '## Test run',
    '',
    `- Command: \`${options.command}\` in the work directory${options.source ? ` (${options.source})` : ''}`,
    `- Exit: ${run.timedOut ? 'timed out, process tree killed' : run.exitCode !== null ? `code ${run.exitCode}` : `signal ${run.signal}`} after ${(run.durationMs / 1000).toFixed(1)} s`,
    `- Isolation: ${run.isolation}, as user ${run.user}`,
    counts
      ? `- Tests: ${counts.total} total, ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`
      : '- Tests: no counts found in the output',
    `- Output: ${run.outputBytes} bytes${run.truncated ? ' (capped: the middle was dropped)' : ''}`,
    '',
  ];
  if (!verdict.passed) {
    if (verdict.failing.length > 0) lines.push('## Failing tests', '', ...verdict.failing.map((name) => `- ${name}`), '');
    lines.push('## Output (trimmed)', '', '```text', trimmedOutput(run.output).replace(/```/g, '`\u200b``'), '```', '');
    if (options.analysis) lines.push('## Analysis', '', options.analysis.trim(), '');
  }
  return lines.join('\n');
}

/**
 * `docs/BUG_REPORT.md` when the tests could not run because their runner is not installed on this worker: a
 * failure with that reason, and what happens next (QA tries again once an operator has installed it).
 */
export function missingRunnerReport(options: { sessionId: string; iteration: number; command: string; source: string; reason: string; run: ChildResult | null }): string {
  const lines = [
    '# Bug Report',
    '',
    `Session \`${options.sessionId}\`, iteration ${options.iteration}.`,
    '',
    `**Result:** FAIL (${options.reason})`,
    '',
    '## Test run',
    '',
    `- Command: \`${options.command}\` in the work directory (${options.source})`,
    `- Not run: ${options.reason}`,
    '',
    '## What happens next',
    '',
    'The project cannot be tested here until its test runner is installed where the worker runs tests; the engineer',
    'cannot fix that, an operator can. QA tries again, a few minutes apart at most, while the session stays running',
    '(PHASE_RETRY_WINDOW_SECONDS); after that the session fails with this reason. It never passes without its tests.',
    '',
  ];
  if (options.run) lines.push('## Output (trimmed)', '', '```text', trimmedOutput(options.run.output).replace(/```/g, '`\u200b``'), '```', '');
  return lines.join('\n');
}
