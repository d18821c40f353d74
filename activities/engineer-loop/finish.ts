import type { ArtifactRef } from '../../workflows/definitions';
import type { AgentDeps } from '../agents/agent-deps';
import { describeWrite, runStep, usageLine } from '../agents/phase-runner';
import { addUsage } from '../token-usage';
import { AgentFailureType, nonRetryable } from '../failures';
import { commitPhaseRun } from '../git/phase-commit';
import type { EngineerLoopFinishInput, EngineerLoopFinishResult } from './contract';
import { readChain, TranscriptError } from './transcript';

/** At most this many file references go back to the workflow, as from the single-shot engineer. */
const MAX_REFS = 50;

/**
 * `engineerLoopFinish`: the phase's result from the whole transcript: the files the loop wrote (as they are
 * now), the turns taken, why it stopped ("turn limit reached" in the log when the model never said done),
 * and the tokens of every model turn. The phase's commit is made here, once for the whole loop.
 */
export function createLoopFinish(_deps: AgentDeps): (input: EngineerLoopFinishInput) => Promise<EngineerLoopFinishResult> {
  return (input) =>
    runStep('engineer', input, async (ctx) => {
      const chain = await readChain(ctx.workspace, input.transcript).catch((err: unknown) => {
        throw err instanceof TranscriptError ? nonRetryable(AgentFailureType.CONFIG, err.message, err) : err;
      });
      const opening = chain[0]!;
      const tools = chain.flatMap((record) => (record.kind === 'tool' ? [record] : []));
      const turns = tools.length;
      const stoppedBy = tools.at(-1)?.done ? 'done' : 'turn_limit';
      const usage = addUsage(...chain.map((record) => (record.kind === 'model' ? (record.usage ?? undefined) : undefined)));
      const paths = [...new Set(tools.flatMap((record) => record.artifacts.map((artifact) => artifact.path)))];
      const artifacts: ArtifactRef[] = [];
      for (const path of paths.slice(0, MAX_REFS)) {
        const ref = await ctx.workspace.describeFile('code', path);
        if (ref) artifacts.push(ref);
      }
      if (stoppedBy === 'turn_limit') {
        await ctx.log.write('turn-limit', `turn limit reached (${turns} of ${input.turnLimit} turns): the phase ends with what was written, and QA judges it`);
      }
      const provider = opening.kind === 'opening' ? opening.provider : 'unknown';
      const written = artifacts.length > 0 ? artifacts.slice(0, 5).map(describeWrite).join(', ') + (artifacts.length > 5 ? `, and ${artifacts.length - 5} more` : '') : 'no files';
      await ctx.log.write('wrote', `Wrote ${written} with the ${provider} provider in ${turns} turn(s)${stoppedBy === 'done' ? '' : ', stopped at the turn limit'}`);
      if (usage) await ctx.log.write('usage', usageLine(usage));
      // The loop's one commit: its input carries no feedback, so the round comes from the history.
      await commitPhaseRun(ctx, { phase: 'engineer', iteration: input.iteration, feedback: null });
      return { artifacts, turns, stoppedBy, ...(usage ? { usage } : {}) };
    });
}
