import { ARTIFACT_PATHS, type AgentInput } from '../../workflows/definitions';
import { AgentFailureType, nonRetryable } from '../failures';
import { resolveProjectTests } from '../project/project-tests';
import type { AgentBrief, CodeRequest } from '../providers/types';
import type { AgentDeps } from './agent-deps';
import { feedbackSection } from './feedback-section';
import type { StepContext } from './step-context';
import { runScaffoldIfNew } from './scaffold-run';

/** All feedback so far, for tools that take it as a file. */
export const FEEDBACK_PATH = 'docs/FEEDBACK.md';

/** What every agent is told about the session, from a phase's input. */
export function briefOf(input: AgentInput): AgentBrief {
  return { sessionId: input.sessionId, mission: input.userMission, projectName: input.projectName, iteration: input.iteration, feedback: input.feedback };
}

/** Model-written code (or an external agent) runs only when RUN_MODEL_CODE allows it, and only in a safe sandbox. */
export async function assertModelCodeMayRun(deps: AgentDeps): Promise<void> {
  if (!deps.providers.codeIsModelWritten) return;
  const provider = deps.providers.forPhase('engineer').name;
  if (!deps.config.runModelCode) {
    throw nonRetryable(
      AgentFailureType.MODEL_CODE_NOT_ALLOWED,
      `the ${provider} engineer writes code that QA would run, and running model-written code is off; set RUN_MODEL_CODE=true to allow it`,
    );
  }
  await deps.providers.sandboxForUntrustedCode(provider === 'command' ? 'the agent command' : 'model-written code');
}

/**
 * What the Engineer starts from, whichever way it runs (one activity or the loop): the PRD and spec (refused when
 * PM and Architect have not run), the project's test command, the feedback file, the bug report when QA sent the
 * session back, and the scaffold run when its revision is new.
 */
export async function prepareEngineer(input: AgentInput, ctx: StepContext, deps: AgentDeps): Promise<CodeRequest> {
  const { workspace } = ctx;
  const prd = await workspace.readText(ARTIFACT_PATHS.prd);
  const techSpec = await workspace.readText(ARTIFACT_PATHS.tech_spec);
  if (prd === null || techSpec === null) throw nonRetryable(AgentFailureType.CONFIG, 'the PRD or the tech spec is missing: PM and Architect have not run');
  const tests = resolveProjectTests(techSpec, deps.config.qaTestCommand);
  await workspace.writeArtifact('code', FEEDBACK_PATH, `# Reviewer feedback\n\n${feedbackSection(input.feedback)}`);
  const bugReport = input.bugReport ? await workspace.readText(input.bugReport.path) : null;
  await runScaffoldIfNew(ctx, deps);
  return {
    ...briefOf(input),
    prd,
    techSpec,
    bugReport,
    paths: { prd: ARTIFACT_PATHS.prd, techSpec: ARTIFACT_PATHS.tech_spec, feedback: FEEDBACK_PATH, bugReport: bugReport ? input.bugReport!.path : null },
    tests,
  };
}
