/** Test counts read from a runner's summary. */
export interface TestCounts {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Counts from the last summary in `output`: node:test (TAP `# pass 3` or spec `ℹ pass 3`), the plain
 * `N passed, N failed` line, Jest's `Tests: 1 failed, 2 passed, 3 total`, or pytest's `== 2 passed, 1 failed ==`.
 * Null when no summary is found.
 */
export function parseTestCounts(output: string): TestCounts | null {
  return nodeTestCounts(output) ?? jestCounts(output) ?? plainCounts(output);
}

function lastNumber(output: string, pattern: RegExp): number | null {
  let value: number | null = null;
  for (const match of output.matchAll(pattern)) value = Number(match[1]);
  return value;
}

function nodeTestCounts(output: string): TestCounts | null {
  const field = (name: string): number | null => lastNumber(output, new RegExp(`^(?:#|ℹ)\\s+${name}\\s+(\\d+)\\s*$`, 'gm'));
  const total = field('tests');
  const passed = field('pass');
  const failed = field('fail');
  if (total === null || passed === null || failed === null) return null;
  const skipped = (field('skipped') ?? 0) + (field('todo') ?? 0);
  return { total, passed, failed: failed + (field('cancelled') ?? 0), skipped };
}

function jestCounts(output: string): TestCounts | null {
  const lines = [...output.matchAll(/^Tests:\s+(.*\d+ total)\s*$/gm)];
  const line = lines.at(-1)?.[1];
  if (!line) return null;
  const count = (word: string): number => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  return { total: count('total'), passed: count('passed'), failed: count('failed'), skipped: count('skipped') + count('todo') };
}

function plainCounts(output: string): TestCounts | null {
  const lines = [...output.matchAll(/^[=\s]*(?:\w+:\s+)?((?:\d+ (?:passed|failed|skipped|errors?)(?:, | and |\s)*)+)(?:in [\d.]+s)?[=\s]*$/gm)];
  const line = lines.at(-1)?.[1];
  if (!line) return null;
  const count = (word: string): number => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  const passed = count('passed');
  const failed = count('failed') + count('errors?');
  const skipped = count('skipped');
  return { total: passed + failed + skipped, passed, failed, skipped };
}

/** Names of failing tests in node:test TAP output (`not ok 2 - name`) or pytest's summary (`FAILED tests/test_a.py::name`), at most `limit`. */
export function failingTestNames(output: string, limit = 20): string[] {
  const names: string[] = [];
  for (const match of output.matchAll(/^\s*not ok \d+ - (.+?)\s*(?:#.*)?$|^FAILED (\S+)(?: - .*)?$/gm)) {
    if (names.length >= limit) break;
    names.push((match[1] ?? match[2])!);
  }
  return names;
}
