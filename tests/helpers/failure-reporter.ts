/**
 * A node:test reporter, beside the TAP one, that writes one JSON line per failed test: its file, the names from its
 * outermost suite down, and what it failed with. `npm test` reads them back to recap the failures just above the
 * summary, where a log cut to its tail still shows them. A suite failing only because a test in it failed is left
 * out (the test is listed).
 */
import type { TestEvent } from 'node:test/reporters';
import type { FailedTest } from './failure-recap';

interface ErrorLike {
  message?: unknown;
  failureType?: unknown;
  cause?: unknown;
}

function errorMessage(error: ErrorLike): string {
  const cause = error.cause as ErrorLike | undefined;
  const message = typeof cause?.message === 'string' ? cause.message : error.message;
  return typeof message === 'string' ? message : JSON.stringify(cause ?? error);
}

async function* failedTests(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const openNames = new Map<string, string[]>();
  for await (const event of source) {
    if (event.type !== 'test:start' && event.type !== 'test:fail') continue;
    const { name, nesting, file } = event.data;
    const names = openNames.get(file ?? '') ?? [];
    openNames.set(file ?? '', names);
    if (event.type === 'test:start') {
      names.length = nesting;
      names[nesting] = name;
      continue;
    }
    const error = event.data.details.error as ErrorLike;
    if (error.failureType === 'subtestsFailed') continue;
    const failed: FailedTest = { file, names: [...names.slice(0, nesting), name], message: errorMessage(error) };
    yield `${JSON.stringify(failed)}\n`;
  }
}

export = failedTests;
