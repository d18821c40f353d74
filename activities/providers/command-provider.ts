import path from 'node:path';
import { redactSecrets, secretValues } from '../runner/redact';
import { runChild } from '../runner/run-child';
import type { ResolvedSandbox } from '../runner/sandbox';
import { AgentFailureType, environmentFault, nonRetryable, retryable } from '../failures';
import { findChildExecutable } from '../runner/executables';
import { launchFailureOf } from '../runner/launch-failure';
import { expandCommand } from './command-template';
import { TemplateProvider } from './template/template-provider';
import type { AgentProvider, CodeRequest, CodeResult, DesignRequest, Drafted, PrdRequest, ProviderCall } from './types';
import { changedSince, workDirBaseline } from './work-dir-baseline';

/** Where the output of the agent command's latest run is kept, relative to the work directory. */
export const AGENT_COMMAND_LOG = 'logs/agent-command.log';
/** Lines of a failed run's output quoted in the phase log, and at most this many characters of them. */
const QUOTED_LINES = 10;
const QUOTED_CHARS = 1500;

/** What the command provider runs. */
export interface CommandSettings {
  /** The parsed command template (see parseCommandTemplate). */
  argv: string[];
  timeoutMs: number;
  outputLimitBytes: number;
  /** Variables the command receives from the worker's environment. */
  passthroughEnv: string[];
  sandbox: () => Promise<ResolvedSandbox>;
}

/**
 * The engineer phase delegated to an external coding-agent CLI, run in the work directory with the PRD, spec,
 * feedback and bug-report paths as arguments (unprivileged, scrubbed environment plus the named variables,
 * network allowed, time-limited). A non-zero exit is an ordinary failure, retried by Temporal (the worker's retry
 * limit ends it after 5 attempts); a timeout is not retried. The other phases are the template's: the command
 * provider only codes.
 */
export class CommandProvider implements AgentProvider {
  readonly name = 'command' as const;
  private readonly template = new TemplateProvider();

  constructor(private readonly settings: CommandSettings) {}

  writePrd(request: PrdRequest): Promise<Drafted<string>> {
    return this.template.writePrd(request);
  }

  writeDesign(request: DesignRequest): Promise<Drafted<{ techSpec: string; scaffold: string }>> {
    return this.template.writeDesign(request);
  }

  reviewTestRun(): Promise<Drafted<string | null>> {
    return Promise.resolve({ value: null });
  }

  async writeCode(request: CodeRequest, call: ProviderCall): Promise<Drafted<CodeResult>> {
    const { workspace } = call;
    const abs = (relative: string | null): string => (relative ? workspace.resolve(relative) : '');
    const argv = expandCommand(this.settings.argv, {
      work_dir: workspace.root,
      prd: abs(request.paths.prd),
      spec: abs(request.paths.techSpec),
      feedback: abs(request.paths.feedback),
      bug_report: abs(request.paths.bugReport),
      mission: request.mission,
    });
    if ((await findChildExecutable(argv[0]!, workspace.root)) === null) {
      throw environmentFault(
        AgentFailureType.AGENT_COMMAND_NOT_FOUND,
        `the agent command ${JSON.stringify(argv[0])} is not installed on the children's PATH; install it or fix AGENT_COMMAND`,
      );
    }
    const before = await workDirBaseline(workspace, workspace.writer);
    await call.log.write('command-start', `Running the agent command ${JSON.stringify(argv[0])} in the work directory`);
    const sandbox = await this.settings.sandbox();
    if (sandbox.notice) await call.log.write('sandbox-notice', `Sandbox: ${sandbox.notice}`);
    let result;
    try {
      result = await runChild({
        command: argv[0]!,
        args: argv.slice(1),
        workDir: workspace.root,
        timeoutMs: this.settings.timeoutMs,
        outputLimitBytes: this.settings.outputLimitBytes,
        sandbox,
        passthroughEnv: this.settings.passthroughEnv,
        network: true,
        readOnlyDirs: path.isAbsolute(argv[0]!) ? [path.dirname(argv[0]!)] : [],
        signal: call.scope.signal,
        onTick: () => call.scope.heartbeat(),
      });
    } catch (err) {
      if (call.scope.signal.aborted) throw err;
      throw nonRetryable(AgentFailureType.AGENT_COMMAND_FAILED, `the agent command could not start: ${(err as Error).message}`, err as Error);
    }
    const output = redactSecrets(result.output, secretValues(this.settings.passthroughEnv));
    await workspace.writeArtifact('code', AGENT_COMMAND_LOG, output);
    const unlaunchable = launchFailureOf({ exitCode: result.exitCode, output });
    if (unlaunchable) {
      throw environmentFault(
        AgentFailureType.AGENT_COMMAND_NOT_FOUND,
        `the agent command could not be started as ${result.user} (${result.isolation}): ${unlaunchable}; install it, with its interpreter, ` +
          'where that user can read and execute it (under /usr/local or /opt, not a home directory) or fix AGENT_COMMAND',
      );
    }
    const seconds = (result.durationMs / 1000).toFixed(1);
    if (result.timedOut || result.exitCode !== 0) {
      const kept = await keepFailedRun(call, request.iteration, output);
      // The output stays in files and the phase log: a CLI that prints its key must not put it in Temporal's history.
      if (result.timedOut) {
        throw nonRetryable(AgentFailureType.AGENT_COMMAND_FAILED, `the agent command timed out after ${seconds} s and was killed; its output is in ${kept}`);
      }
      throw retryable(AgentFailureType.AGENT_COMMAND_FAILED, `the agent command exited with ${result.exitCode ?? result.signal} after ${seconds} s; its output is in ${kept}`);
    }
    const changed = await changedSince(workspace, before);
    return { value: { kind: 'applied', changed, notes: `agent command exited 0 after ${seconds} s, ${result.isolation} as ${result.user}` } };
  }
}

/** Where the output of a failed run is kept, relative to the work directory: one file per iteration and attempt. */
export function failedRunLog(iteration: number, attempt: number): string {
  return `logs/agent-command.iteration-${iteration}.attempt-${attempt}.log`;
}

/**
 * Keep a failed run's (redacted) output where the next attempt will not overwrite it, and quote its last lines in
 * the phase log, once per attempt. Returns the file's path.
 */
async function keepFailedRun(call: ProviderCall, iteration: number, output: string): Promise<string> {
  const kept = failedRunLog(iteration, call.scope.execution?.attempt ?? 1);
  await call.workspace.writeArtifact('code', kept, output);
  const lines = output.split('\n').map((line) => line.trimEnd()).filter((line) => line !== '');
  const tail = lines.slice(-QUOTED_LINES).join('\n').slice(-QUOTED_CHARS);
  const quoted = tail === '' ? `The agent command printed nothing (${kept} is empty)` : `Agent command output, last ${Math.min(lines.length, QUOTED_LINES)} line(s) (all of it in ${kept}):\n${tail}`;
  await call.log.write('command-output', quoted, { perAttempt: true });
  return kept;
}
