import { ARTIFACT_PATHS, type AgentInput, type PhaseResult } from '../../workflows/definitions';
import { AgentFailureType, nonRetryable } from '../failures';
import type { AgentDeps } from './agent-deps';
import { describeWrite, runPhase } from './phase-runner';

/** The Architect activity: `docs/TECH_SPEC.md` and `scaffold.sh` from the PRD and all feedback so far. */
export function createArchitect(deps: AgentDeps): (input: AgentInput) => Promise<PhaseResult> {
  return (input) =>
    runPhase('architect', input, async (ctx) => {
      const provider = deps.providers.forPhase('architect');
      const prd = await ctx.workspace.readText(ARTIFACT_PATHS.prd);
      if (prd === null) throw nonRetryable(AgentFailureType.CONFIG, `${ARTIFACT_PATHS.prd} is missing: the PM phase has not run`);
      const previousSpec = input.feedback.length > 0 ? await ctx.workspace.readText(ARTIFACT_PATHS.tech_spec) : null;
      const draft = await provider.writeDesign({ ...ctx.brief, prd, previousSpec }, ctx);
      const artifacts = [
        await ctx.workspace.writeArtifact('tech_spec', ARTIFACT_PATHS.tech_spec, draft.value.techSpec),
        await ctx.workspace.writeArtifact('scaffold', ARTIFACT_PATHS.scaffold, draft.value.scaffold, 0o755),
      ];
      await ctx.log.write('wrote', `Wrote ${artifacts.map(describeWrite).join(' and ')} with the ${provider.name} provider`);
      return { artifacts, ...(draft.usage ? { usage: draft.usage } : {}) };
    });
}
