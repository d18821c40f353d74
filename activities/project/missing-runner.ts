import { childPath } from '../runner/child-env';
import { findChildExecutable } from '../runner/executables';
import type { ChildResult } from '../runner/run-child';
import { TEST_COMMANDS } from './test-commands';

/**
 * Why a test command cannot start on this worker because its runner is not installed (`pytest is not installed on
 * this worker …`), looked up before it runs: no executable of that name on the children's PATH. Null when it is there.
 */
export async function missingRunner(argv: readonly string[], workDir: string): Promise<string | null> {
  const command = argv[0] ?? '';
  if ((await findChildExecutable(command, workDir)) !== null) return null;
  const where = command.includes('/') ? `no executable ${command} in the work directory` : `not found on the PATH test runs get (${childPath()})`;
  return `${command} is not installed on this worker (${where})`;
}

/**
 * The same, read from a run that could not get going: the sandbox or `timeout` could not execute the command
 * (found by the worker, not by the child's user), or `python3 -m <module>` found no such module.
 */
export function missingRunnerIn(argv: readonly string[], run: ChildResult): string | null {
  const [command = '', flag, module] = argv;
  if (run.exitCode === null || run.exitCode === 0 || run.timedOut) return null;
  const name = escapeRegExp(command);
  if (new RegExp(`^(?:timeout: failed to run command .${name}.|bwrap: execvp ${name}): (?:No such file or directory|Permission denied)\\s*$`, 'm').test(run.output)) {
    return `${command} is not installed on this worker (the test run could not execute it)`;
  }
  if (flag === '-m' && module && new RegExp(`^\\S*: No module named ${escapeRegExp(module)}\\s*$`, 'm').test(run.output)) {
    return `${module} is not installed on this worker for ${command} (${command} -m ${module}: no module named ${module})`;
  }
  return null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The runners of the allowed test commands (`npm`, `node`, `pytest`) this worker's test runs would not find. */
export async function missingTestRunners(): Promise<string[]> {
  const runners = [...new Set(TEST_COMMANDS.map((command) => command.split(' ')[0]!))];
  const found = await Promise.all(runners.map((runner) => findChildExecutable(runner, '/')));
  return runners.filter((_, index) => found[index] === null);
}
