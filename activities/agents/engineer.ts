import { type AgentInput, type ArtifactRef, type PhaseResult } from '../../workflows/definitions';
import { AgentFailureType, nonRetryable } from '../failures';
import { projectPath } from '../providers/openai/model-output';
import type { AgentDeps } from './agent-deps';
import { assertModelCodeMayRun, prepareEngineer } from './engineer-setup';
import { describeWrite, runPhase } from './phase-runner';

export { FEEDBACK_PATH } from './engineer-setup';
/** At most this many file references go back to the workflow. */
const MAX_REFS = 50;

/**
 * The Engineer activity: runs the scaffold (new revisions only), asks the provider for the implementation
 * (with the bug report when QA sent the session back), validates every path and writes the files.
 */
export function createEngineer(deps: AgentDeps): (input: AgentInput) => Promise<PhaseResult> {
  return (input) =>
    runPhase('engineer', input, async (ctx) => {
      const { workspace, log } = ctx;
      const provider = deps.providers.forPhase('engineer');
      await assertModelCodeMayRun(deps);
      const request = await prepareEngineer(input, ctx, deps);
      const draft = await provider.writeCode(
        request,
        ctx,
      );
      const artifacts: ArtifactRef[] = [];
      const code = draft.value;
      if (code.kind === 'files') {
        for (const file of code.files) {
          const checked = projectPath.safeParse(file.path);
          if (!checked.success) {
            throw nonRetryable(AgentFailureType.INVALID_MODEL_OUTPUT, `refused to write ${JSON.stringify(file.path)}: ${checked.error.issues[0]?.message}`);
          }
        }
        for (const file of code.files) artifacts.push(await workspace.writeFile(file.path, file.content));
      } else {
        for (const file of code.changed.slice(0, MAX_REFS)) {
          const ref = await workspace.describeFile('code', file);
          if (ref) artifacts.push(ref);
        }
      }
      const addressing = request.bugReport ? `, addressing ${input.bugReport!.path}` : '';
      const written = artifacts.length > 0 ? artifacts.slice(0, 5).map(describeWrite).join(', ') + (artifacts.length > 5 ? `, and ${artifacts.length - 5} more` : '') : 'no files';
      await log.write('wrote', `Wrote ${written} with the ${provider.name} provider${addressing}`);
      if (code.notes) await log.write('notes', `Engineer notes: ${code.notes.slice(0, 500)}`);
      return { artifacts: artifacts.slice(0, MAX_REFS), ...(draft.usage ? { usage: draft.usage } : {}) };
    });
}
