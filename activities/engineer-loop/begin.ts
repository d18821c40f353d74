import type { AgentDeps } from '../agents/agent-deps';
import { assertModelCodeMayRun, briefOf, prepareEngineer } from '../agents/engineer-setup';
import { runStep } from '../agents/phase-runner';
import { AgentFailureType, nonRetryable } from '../failures';
import { NON_PROJECT_DIRS } from '../workspace';
import type { EngineerLoopBeginInput, EngineerLoopBeginResult } from './contract';
import { loopOpeningMessage, loopSystemPrompt } from './prompt';
import { type OpeningRecord, transcriptPath, writeRecord } from './transcript';

const LISTED_FILES = 200;

/**
 * `engineerLoopBegin`: prepares the work directory as the single-shot engineer does (model-code and sandbox
 * checks, docs/FEEDBACK.md, the scaffold when it is new) and writes the opening transcript. A retry writes the
 * same opening again (same content, same hash).
 */
export function createLoopBegin(deps: AgentDeps): (input: EngineerLoopBeginInput) => Promise<EngineerLoopBeginResult> {
  return (input) =>
    runStep('engineer', input, async (ctx) => {
      const provider = deps.providers.nameFor('engineer');
      if (provider === 'command') {
        await ctx.log.write('loop-single-shot', 'The engineer is an external agent command: it runs its own loop in one step');
        return { driver: 'single_shot' };
      }
      const turnLimit = input.turnLimit ?? deps.config.agentMaxTurns;
      const minTurns = input.minTurns ?? deps.config.agentMinTurns;
      if (!Number.isInteger(turnLimit) || turnLimit < 1 || !Number.isInteger(minTurns) || minTurns < 0 || minTurns >= turnLimit) {
        throw nonRetryable(AgentFailureType.CONFIG, `unusable loop limits: turnLimit ${turnLimit}, minTurns ${minTurns} (need 0 <= minTurns < turnLimit)`);
      }
      await assertModelCodeMayRun(deps);
      const request = await prepareEngineer(input, ctx, deps);
      const format = deps.config.agentActionFormat;
      const files = await ctx.workspace.listFiles(NON_PROJECT_DIRS, LISTED_FILES);
      const opening: OpeningRecord = {
        kind: 'opening',
        previous: null,
        turn: 0,
        messages: [
          { role: 'system', content: loopSystemPrompt(format, request.tests) },
          { role: 'user', content: loopOpeningMessage(request, files) },
        ],
        brief: briefOf(input),
        provider,
        format,
        bugReport: request.bugReport !== null,
        project: { testCommand: request.tests.command, language: request.tests.language },
      };
      const transcript = await writeRecord(ctx.workspace, transcriptPath(input.iteration, 0, 'opening'), opening);
      const addressing = request.bugReport ? `, starting from ${input.bugReport!.path}` : '';
      await ctx.log.write(
        'loop-begin',
        `Engineer loop: up to ${turnLimit} turns (done offered after ${minTurns}) with the ${provider} provider, ${format} actions${addressing}; transcript ${transcript.path}`,
      );
      return { driver: 'loop', transcript, turnLimit, minTurns, provider };
    });
}

