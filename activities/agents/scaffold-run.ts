import { createHash } from 'node:crypto';
import { ARTIFACT_PATHS } from '../../workflows/definitions';
import { AgentFailureType, nonRetryable } from '../failures';
import type { AgentDeps } from './agent-deps';
import type { StepContext } from './step-context';
import { runInWorkspace } from './workspace-run';

/** The scaffold's output and the hash of the revision that last ran, relative to the work directory. */
export const SCAFFOLD_LOG = 'logs/scaffold.log';
const SCAFFOLD_STAMP = 'logs/scaffold.sha256';

/**
 * Run `scaffold.sh` (as `bash scaffold.sh`, sandboxed) unless this revision of it already ran here, so a QA
 * retry keeps the engineer's files while a new architect revision lays the project out again.
 */
export async function runScaffoldIfNew(ctx: StepContext, deps: AgentDeps): Promise<void> {
  const { workspace, log } = ctx;
  const scaffold = await workspace.readText(ARTIFACT_PATHS.scaffold);
  if (scaffold === null) {
    await log.write('scaffold-missing', `No ${ARTIFACT_PATHS.scaffold}: the engineer starts from an empty project`);
    return;
  }
  const sha = createHash('sha256').update(scaffold).digest('hex');
  if ((await workspace.readText(SCAFFOLD_STAMP))?.trim() === sha) {
    await log.write('scaffold-skipped', `${ARTIFACT_PATHS.scaffold} unchanged since it last ran; not run again`);
    return;
  }
  if (deps.providers.scaffoldIsModelWritten && !deps.config.runModelCode) {
    throw nonRetryable(AgentFailureType.MODEL_CODE_NOT_ALLOWED, `${ARTIFACT_PATHS.scaffold} was written by a model; set RUN_MODEL_CODE=true to run it`);
  }
  const untrusted = deps.providers.scaffoldIsModelWritten ? `the model-written ${ARTIFACT_PATHS.scaffold}` : null;
  const run = await runInWorkspace(ctx, deps, ['bash', ARTIFACT_PATHS.scaffold], untrusted);
  await workspace.writeArtifact('code', SCAFFOLD_LOG, run.output);
  const seconds = (run.durationMs / 1000).toFixed(1);
  if (run.timedOut || run.exitCode !== 0) {
    const how = run.timedOut ? `timed out after ${seconds} s (process tree killed)` : `exited with ${run.exitCode ?? run.signal}`;
    const tail = run.output.trim().split('\n').slice(-5).join(' ⏎ ').slice(-500);
    throw nonRetryable(AgentFailureType.SCAFFOLD_FAILED, `${ARTIFACT_PATHS.scaffold} ${how}: ${tail} (full output in ${SCAFFOLD_LOG})`);
  }
  await workspace.writeArtifact('code', SCAFFOLD_STAMP, `${sha}\n`);
  await log.write('scaffold-ran', `Ran ${ARTIFACT_PATHS.scaffold} as ${run.user} (${run.isolation}): exit 0 in ${seconds} s`);
}
