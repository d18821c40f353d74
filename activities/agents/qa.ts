import { ApplicationFailure } from '@temporalio/common';
import { ARTIFACT_PATHS, type AgentInput, type QaResult } from '../../workflows/definitions';
import { reachedEarlier, recordReached, spentThisAttempt } from '../attempt-ledger';
import { AgentFailureType, environmentFault, nonRetryable } from '../failures';
import { missingRunner, missingRunnerIn } from '../project/missing-runner';
import { describeSource, type ProjectTests, readProjectTests } from '../project/project-tests';
import { bugReport, judgeTestRun, missingRunnerReport } from '../qa/bug-report';
import { gitFault } from '../git/phase-commit';
import { pushSession } from '../git/session-push';
import type { SessionRepo } from '../git/session-repo';
import { parseTestCounts } from '../qa/test-counts';
import type { ChildResult } from '../runner/run-child';
import type { AgentDeps } from './agent-deps';
import { addUsage } from '../token-usage';
import { type PhaseContext, runPhase } from './phase-runner';
import { runInWorkspace } from './workspace-run';

/**
 * The QA activity: runs the project's test command (see `readProjectTests`) in the work directory (sandboxed,
 * time-limited), writes `docs/BUG_REPORT.md` with the result, counts and trimmed failing output, and says whether
 * QA passed. A model provider may add an analysis of a failure. A runner that is not installed here is a failure
 * with that reason in the report, and an environment fault: QA tries again once an operator has installed it.
 */
export function createQa(deps: AgentDeps): (input: AgentInput) => Promise<QaResult> {
  return (input) =>
    runPhase('qa', input, async (ctx) => {
      const { workspace, log } = ctx;
      const earlier = verdictReachedEarlier();
      if (earlier) {
        await log.write('verdict-kept', `QA ${earlier.passed ? 'passed' : 'failed'} in an earlier attempt (${earlier.summary}); finishing from that verdict without running the tests again`);
        return earlier;
      }
      if (deps.providers.codeIsModelWritten && !deps.config.runModelCode) {
        throw nonRetryable(AgentFailureType.MODEL_CODE_NOT_ALLOWED, 'the project contains model-written code and RUN_MODEL_CODE is off; QA will not run it');
      }
      const tests = await readProjectTests(workspace, deps.config);
      const absent = await missingRunner(tests.argv, workspace.root);
      if (absent) return runnerMissing(ctx, tests, absent, null);
      const run = await runInWorkspace(ctx, deps, tests.argv, deps.providers.codeIsModelWritten ? 'model-written code' : null);
      const unstarted = missingRunnerIn(tests.argv, run);
      if (unstarted) return runnerMissing(ctx, tests, unstarted, run);
      const verdict = judgeTestRun(run, parseTestCounts(run.output));
      const report = (analysis: string | null): string =>
        bugReport({ sessionId: input.sessionId, iteration: input.iteration, command: tests.command, source: describeSource(tests), run, verdict, analysis });
      let usage;
      let analysis: string | null = null;
      if (!verdict.passed && input.tokensLeft === 0) {
        await log.write('analysis-skipped', 'No analysis in the report: the session has spent its token budget');
      } else if (!verdict.passed) {
        try {
          const review = await deps.providers.forPhase('qa').reviewTestRun({ ...ctx.brief, report: report(null) }, ctx);
          analysis = review.value;
          usage = review.usage;
        } catch (err) {
          // The analysis is optional: a model that cannot give a usable one must not cost the session its verdict.
          if (!(err instanceof ApplicationFailure) || err.type !== AgentFailureType.INVALID_MODEL_OUTPUT) throw err;
          await log.write('analysis-skipped', `No analysis in the report: ${err.message}`);
        }
      }
      const artifact = await workspace.writeArtifact('bug_report', ARTIFACT_PATHS.bug_report, report(analysis));
      const how = `${tests.command}, ${(run.durationMs / 1000).toFixed(1)} s, ${run.isolation} as ${run.user}`;
      await log.write('verdict', `QA ${verdict.passed ? 'passed' : 'failed'}: ${verdict.summary} (${how}); report in ${artifact.path}`);
      // An analysis whose replies were unusable spent tokens too: the attempt's ledger counted every reply.
      const total = spentThisAttempt() ?? addUsage(usage);
      const result: QaResult = { passed: verdict.passed, summary: verdict.summary, artifacts: [artifact], ...(total ? { usage: total } : {}) };
      // A commit or push that fails after this is retried from the verdict: the tests (and tokens) are not spent twice.
      recordReached(result);
      return result;
    }, (repo, result, ctx) => (result.passed && deps.config.gitPushUrl ? pushCompleted(repo, deps.config.gitPushUrl, ctx) : Promise.resolve()));
}

/**
 * QA passing is the last activity of a completed session: its history goes to `GIT_PUSH_URL`. A push that fails is
 * an environment fault (the host may come back); the retry finds the QA commit made and pushes again, from the
 * verdict kept in the attempt ledger (the tests do not run again).
 */
async function pushCompleted(repo: SessionRepo, template: string, ctx: PhaseContext): Promise<void> {
  try {
    const where = await pushSession(repo, template, ctx.input.sessionId, ctx.input.projectName);
    await ctx.log.write('pushed', `Pushed the session's history (branch main and its tags) to ${where}`);
  } catch (err) {
    throw gitFault(err) ?? environmentFault(AgentFailureType.GIT_PUSH_FAILED, `pushing to GIT_PUSH_URL failed: ${(err as Error).message}`, err as Error);
  }
}

/** The verdict an earlier attempt of this QA activity reached before its commit or push failed, or null. */
function verdictReachedEarlier(): QaResult | null {
  const value = reachedEarlier() as Partial<QaResult> | undefined;
  if (!value || typeof value.passed !== 'boolean' || typeof value.summary !== 'string' || !Array.isArray(value.artifacts)) return null;
  return value as QaResult;
}

/** The report and log say the tests could not run and why; the phase fails with an environment fault (retried). */
async function runnerMissing(ctx: PhaseContext, tests: ProjectTests, reason: string, run: ChildResult | null): Promise<never> {
  const { input, workspace, log } = ctx;
  const report = missingRunnerReport({ sessionId: input.sessionId, iteration: input.iteration, command: tests.command, source: describeSource(tests), reason, run });
  const artifact = await workspace.writeArtifact('bug_report', ARTIFACT_PATHS.bug_report, report);
  await log.write('runner-missing', `QA failed: ${reason}, so the tests (${tests.command}) did not run; report in ${artifact.path}; QA tries again once it is installed`);
  throw environmentFault(
    AgentFailureType.TEST_RUNNER_NOT_FOUND,
    `${reason}: the project's tests (\`${tests.command}\`, ${describeSource(tests)}) cannot run until an operator installs it; the engineer cannot fix this`,
  );
}
