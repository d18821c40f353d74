import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';

/** One failed test, as a line of `failure-reporter`'s output. */
export interface FailedTest {
  file: string | undefined;
  /** Outermost suite first, the test last. */
  names: string[];
  message: string;
}

/** The lines of node:test's closing summary (`# tests 288`, `# pass 287`, …). */
const SUMMARY_LINE = /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) \d/;
/** At most this much of each failure's message is recapped. */
const MESSAGE_LINES = 4;
const MESSAGE_CHARS = 400;

/** node:test's reporters for a run the recap follows: TAP on stdout, the failed tests to `failuresFile`. */
export function recapReporterArgs(failuresFile: string): string[] {
  const reporter = path.join(__dirname, 'failure-reporter.js');
  return ['--test-reporter=tap', '--test-reporter-destination=stdout', `--test-reporter=${reporter}`, `--test-reporter-destination=${failuresFile}`];
}

/**
 * Copies the TAP stream to `write` line by line, holding back its closing summary; `finish` then writes `extra`
 * (the recap) and the summary, so the summary stays the last thing printed.
 */
export function passThroughHoldingSummary(tap: Readable, write: (line: string) => void): { finish(extra: readonly string[]): Promise<void> } {
  const held: string[] = [];
  const lines = readline.createInterface({ input: tap, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (SUMMARY_LINE.test(line)) {
      held.push(line);
      return;
    }
    for (const early of held.splice(0)) write(early);
    write(line);
  });
  const closed = new Promise<void>((resolve) => lines.once('close', resolve));
  return {
    async finish(extra) {
      await closed;
      for (const line of [...extra, ...held.splice(0)]) write(line);
    },
  };
}

/** The failures written by `failure-reporter`, recapped as TAP comments (none when nothing failed). */
export function recapOfFailures(reported: string, root: string): string[] {
  const failed = reported
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as FailedTest];
      } catch {
        return [{ file: undefined, names: ['(a line of the failure report that is not JSON)'], message: line }];
      }
    });
  if (failed.length === 0) return [];
  const recap = [`# failed: ${failed.length} test${failed.length === 1 ? '' : 's'}`];
  for (const test of failed) {
    const where = test.file === undefined ? '' : `${path.relative(root, test.file)}: `;
    recap.push(`#   ✖ ${where}${test.names.join(' › ')}`);
    const message = test.message.slice(0, MESSAGE_CHARS).split('\n').filter((line) => line.trim() !== '').slice(0, MESSAGE_LINES);
    for (const line of message) recap.push(`#       ${line}`);
  }
  return recap;
}
