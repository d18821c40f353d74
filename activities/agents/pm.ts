import { ARTIFACT_PATHS, type AgentInput, type PhaseResult } from '../../workflows/definitions';
import type { AgentDeps } from './agent-deps';
import { describeWrite, runPhase } from './phase-runner';

/** The PM activity: the mission and all feedback so far become `docs/PRD.md` (earlier revisions kept). */
export function createPm(deps: AgentDeps): (input: AgentInput) => Promise<PhaseResult> {
  return (input) =>
    runPhase('pm', input, async (ctx) => {
      const provider = deps.providers.forPhase('pm');
      const previousPrd = input.feedback.length > 0 ? await ctx.workspace.readText(ARTIFACT_PATHS.prd) : null;
      const draft = await provider.writePrd({ ...ctx.brief, previousPrd }, ctx);
      const artifact = await ctx.workspace.writeArtifact('prd', ARTIFACT_PATHS.prd, draft.value);
      await ctx.log.write('wrote', `Wrote ${describeWrite(artifact)} with the ${provider.name} provider`);
      return { artifacts: [artifact], ...(draft.usage ? { usage: draft.usage } : {}) };
    });
}
