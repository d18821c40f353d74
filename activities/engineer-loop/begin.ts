import { ARTIFACT_PATHS } from '../../workflows/definitions';
import type { AgentDeps } from '../agents/agent-deps';
import { FEEDBACK_PATH } from '../agents/engineer';
import { feedbackSection } from '../agents/feedback-section';
import { runStep, type StepContext } from '../agents/phase-runner';
import { runScaffoldIfNew } from '../agents/scaffold-run';
import { AgentFailureType, nonRetryable } from '../failures';
import type { AgentBrief, CodeRequest } from '../providers/types';
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
      await checkModelCode(deps);
      const request = await prepare(input, ctx, deps);
      const format = deps.config.agentActionFormat;
      const files = await ctx.workspace.listFiles(['.git', 'node_modules', 'logs', 'docs'], LISTED_FILES);
      const opening: OpeningRecord = {
        kind: 'opening',
        previous: null,
        turn: 0,
        messages: [
          { role: 'system', content: loopSystemPrompt(format, deps.config.qaTestCommand) },
          { role: 'user', content: loopOpeningMessage(request, files) },
        ],
        brief: briefOf(input),
        provider,
        format,
        bugReport: request.bugReport !== null,
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

/** The same refusals as the single-shot engineer: model-written code must be allowed and sandboxed. */
async function checkModelCode(deps: AgentDeps): Promise<void> {
  if (!deps.providers.codeIsModelWritten) return;
  if (!deps.config.runModelCode) {
    throw nonRetryable(
      AgentFailureType.MODEL_CODE_NOT_ALLOWED,
      `the ${deps.providers.nameFor('engineer')} engineer writes and runs code, and running model-written code is off; set RUN_MODEL_CODE=true to allow it`,
    );
  }
  await deps.providers.sandboxForUntrustedCode('model-written code');
}

async function prepare(input: EngineerLoopBeginInput, ctx: StepContext, deps: AgentDeps): Promise<CodeRequest> {
  const { workspace } = ctx;
  const prd = await workspace.readText(ARTIFACT_PATHS.prd);
  const techSpec = await workspace.readText(ARTIFACT_PATHS.tech_spec);
  if (prd === null || techSpec === null) throw nonRetryable(AgentFailureType.CONFIG, 'the PRD or the tech spec is missing: PM and Architect have not run');
  await workspace.writeArtifact('code', FEEDBACK_PATH, `# Reviewer feedback\n\n${feedbackSection(input.feedback)}`);
  const bugReport = input.bugReport ? await workspace.readText(input.bugReport.path) : null;
  await runScaffoldIfNew(ctx, deps);
  return {
    ...briefOf(input),
    prd,
    techSpec,
    bugReport,
    paths: { prd: ARTIFACT_PATHS.prd, techSpec: ARTIFACT_PATHS.tech_spec, feedback: FEEDBACK_PATH, bugReport: bugReport ? input.bugReport!.path : null },
  };
}

function briefOf(input: EngineerLoopBeginInput): AgentBrief {
  return { sessionId: input.sessionId, mission: input.userMission, projectName: input.projectName, iteration: input.iteration, feedback: input.feedback };
}
