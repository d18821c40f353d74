import { type ChildResult, runChild } from '../runner/run-child';
import type { AgentDeps } from './agent-deps';
import type { StepContext } from './step-context';

/**
 * Run a command of the project in the session's work directory, the way every phase runs generated code:
 * in the sandbox (the stricter one for `untrusted` code, named for the refusal message), with the configured time
 * and output limits, heartbeating, and stopped when the activity is cancelled.
 */
export async function runInWorkspace(
  ctx: StepContext,
  deps: AgentDeps,
  argv: readonly string[],
  untrusted: string | null,
): Promise<ChildResult> {
  const sandbox = untrusted ? await deps.providers.sandboxForUntrustedCode(untrusted) : await deps.providers.sandbox();
  if (sandbox.notice) await ctx.log.write('sandbox-notice', `Sandbox: ${sandbox.notice}`);
  const [command, ...args] = argv;
  if (!command) throw new Error('no command to run');
  return runChild({
    command,
    args,
    workDir: ctx.workspace.root,
    timeoutMs: deps.config.runTimeoutSeconds * 1000,
    outputLimitBytes: deps.config.runOutputLimitBytes,
    sandbox,
    signal: ctx.scope.signal,
    onTick: () => ctx.scope.heartbeat(),
  });
}
