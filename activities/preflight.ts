import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OrchestratorConfig } from '../src/config';
import { GitUnavailableError, gitVersion } from './git/git-command';
import { parseCommandTemplate } from './providers/command-template';
import { ProviderSet } from './providers/provider-set';
import { findChildExecutable } from './runner/executables';
import { runChild } from './runner/run-child';
import { type ResolvedSandbox, untrustedCodeRefusal } from './runner/sandbox';

/** One thing a phase will need from this machine that it does not have, with the fix. */
export interface PreflightProblem {
  check: 'providers' | 'work-dir' | 'sandbox' | 'child-access' | 'agent-command' | 'git';
  /** What is wrong and how to fix it, in one sentence. */
  message: string;
}

/** Start-up refused: a phase would fail (or retry forever) on this machine as configured. */
export class PreflightError extends Error {
  override readonly name = 'PreflightError';
  constructor(readonly problems: readonly PreflightProblem[]) {
    super(`Preflight failed, so this worker polls nothing: ${problems.map((p) => `[${p.check}] ${p.message}`).join('; ')}`);
  }
}

const PROBE_FILE = 'preflight-probe.txt';

/**
 * Check, before a worker polls, what the phases will need from this machine: the provider settings are complete,
 * `WORK_DIR_BASE` is writable (disk not full or read-only), the sandbox works, its child user can reach and write
 * a directory under `WORK_DIR_BASE`, an external agent command exists, and `git` is installed (every phase commits
 * the session's history). Returns every problem found.
 */
export async function preflight(config: OrchestratorConfig): Promise<PreflightProblem[]> {
  let providers: ProviderSet;
  try {
    providers = new ProviderSet(config);
  } catch (err) {
    return [{ check: 'providers', message: (err as Error).message }];
  }
  const problems: PreflightProblem[] = [];
  const base = path.resolve(config.workDirBase);
  const baseProblem = await writableProblem(base);
  if (baseProblem) return [{ check: 'work-dir', message: baseProblem }];

  let sandbox: ResolvedSandbox | null = null;
  try {
    sandbox = await providers.sandbox();
  } catch (err) {
    problems.push({ check: 'sandbox', message: (err as Error).message });
  }
  if (providers.codeIsModelWritten) {
    const refusal = sandbox ? untrustedCodeRefusal(sandbox) : null;
    if (refusal) problems.push({ check: 'sandbox', message: `model-written code could not run: ${refusal}` });
    if (!config.runModelCode) {
      problems.push({
        check: 'sandbox',
        message: 'a model or an external agent writes the code QA runs and RUN_MODEL_CODE is off: set RUN_MODEL_CODE=true, or use the template engineer',
      });
    }
  }
  if (sandbox) {
    const childProblem = await childAccessProblem(base, sandbox);
    if (childProblem) problems.push({ check: 'child-access', message: childProblem });
  }
  if (providers.forPhase('engineer').name === 'command' && config.agentCommand) {
    const command = parseCommandTemplate(config.agentCommand)[0] ?? '';
    if ((await findChildExecutable(command, base)) === null) {
      problems.push({ check: 'agent-command', message: `the agent command ${JSON.stringify(command)} is not installed on the children's PATH: install it or fix AGENT_COMMAND` });
    }
  }
  const gitProblem = await gitVersion().then(
    () => null,
    (err: unknown) => (err instanceof GitUnavailableError ? err.message : `git does not run: ${(err as Error).message}`),
  );
  if (gitProblem) problems.push({ check: 'git', message: gitProblem });
  return problems;
}

/** Throws a {@link PreflightError} naming every problem {@link preflight} finds. */
export async function assertPreflight(config: OrchestratorConfig): Promise<void> {
  const problems = await preflight(config);
  if (problems.length > 0) throw new PreflightError(problems);
}

async function writableProblem(base: string): Promise<string | null> {
  const probe = path.join(base, `.preflight-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(base, { recursive: true });
    await writeFile(probe, 'ok');
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const fix =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'free some space on its disk'
        : code === 'EROFS'
          ? 'mount it writable or choose another WORK_DIR_BASE'
          : 'give the worker write access to it or choose another WORK_DIR_BASE';
    return `WORK_DIR_BASE ${base} is not writable by the worker (${code}: ${(err as Error).message}): ${fix}`;
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

/** Run a child in the sandbox in a probe directory the way a phase does, and check that it wrote its file. */
async function childAccessProblem(base: string, sandbox: ResolvedSandbox): Promise<string | null> {
  const probeDir = path.join(base, `.preflight-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(probeDir);
    const result = await runChild({
      command: 'sh',
      args: ['-c', `echo ok > ${PROBE_FILE}`],
      workDir: probeDir,
      timeoutMs: 30_000,
      outputLimitBytes: 4096,
      sandbox,
    });
    const written = await readFile(path.join(probeDir, PROBE_FILE), 'utf8').catch(() => '');
    if (result.exitCode === 0 && written.trim() === 'ok') return null;
    return (
      `a child running as ${sandbox.userName} (${sandbox.isolation}) could not write in ${probeDir} ` +
      `(exit ${result.exitCode ?? result.signal}: ${result.output.trim().split('\n')[0] ?? ''}): make WORK_DIR_BASE reachable by that user or set RUN_AS_USER`
    );
  } catch (err) {
    return `a child running as ${sandbox.userName} cannot use ${probeDir}: ${(err as Error).message}`;
  } finally {
    await rm(probeDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
