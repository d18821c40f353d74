import type { ChildResult } from './run-child';

/**
 * What the wrappers around every child (`timeout`, and `bwrap` inside it) print when they cannot execute the
 * command itself: missing for the child (a file or its `#!` interpreter outside what the child can see) or not
 * executable by its user. The command never ran, so its own output cannot have come first.
 */
const WRAPPER_EXEC_FAILURE = [
  { exitCodes: [126, 127], line: /^timeout: failed to run command .*$/ },
  { exitCodes: [1], line: /^bwrap: execvp .*$/ },
] as const;

/**
 * Why the child's command could not be started by its sandbox (the wrapper's own line, such as "timeout: failed
 * to run command '/opt/x': Permission denied"), or null when the command ran, whatever it exited with.
 */
export function launchFailureOf(result: Pick<ChildResult, 'exitCode' | 'output'>): string | null {
  const first = result.output.split('\n', 1)[0]?.trim() ?? '';
  for (const { exitCodes, line } of WRAPPER_EXEC_FAILURE) {
    if ((exitCodes as readonly number[]).includes(result.exitCode ?? -1) && line.test(first)) return first;
  }
  return null;
}
