import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ConfigError } from '../../src/config';
import { redactErrorMessages } from '../../src/redaction';
import type { AgentInput, AgentPhase, PhaseResult, TokenUsage } from '../../workflows/definitions';
import { type ActivityScope, currentScope } from '../activity-scope';
import { AgentFailureType, environmentFault, environmentFaultOf, nonRetryable } from '../failures';
import { ordinaryFailuresSoFar } from '../attempt-ledger';
import { isFinalAttempt, isOrdinaryFailure } from '../retry-limit';
import { shouldLogRetry } from '../retry-log';
import { PhaseLog } from '../phase-log';
import { CommandTemplateError } from '../providers/command-template';
import type { AgentBrief } from '../providers/types';
import { commitPhaseRun } from '../git/phase-commit';
import type { SessionRepo } from '../git/session-repo';
import { SandboxUnavailableError } from '../runner/sandbox';
import { PathEscapeError, SessionWorkspace } from '../workspace';
import type { StepContext } from './step-context';

/** What a phase body gets. */
export interface PhaseContext extends StepContext {
  input: AgentInput;
  brief: AgentBrief;
}

/** What a phase does once its run is committed (QA pushes a completed session). */
export type AfterCommit<R> = (repo: SessionRepo, result: R, ctx: PhaseContext) => Promise<void>;

/**
 * Run one agent phase: its workspace (checked to belong to the session), its deduplicated log, and one place
 * where failures are classified (bad paths, sandbox and configuration problems become non-retryable) and
 * written to the session log before Temporal sees them. A successful run ends with its commit in the session's
 * git history (once per activity, whatever its retries), then `afterCommit`.
 */
export async function runPhase<R extends PhaseResult>(
  phase: AgentPhase,
  input: AgentInput,
  body: (ctx: PhaseContext) => Promise<R>,
  afterCommit?: AfterCommit<R>,
): Promise<R> {
  const brief: AgentBrief = {
    sessionId: input.sessionId,
    mission: input.userMission,
    projectName: input.projectName,
    iteration: input.iteration,
    feedback: input.feedback,
  };
  return runStep(phase, input, async (ctx) => {
    const phaseCtx = { ...ctx, input, brief };
    const result = await body(phaseCtx);
    if (result.usage) await ctx.log.write('usage', usageLine(result.usage));
    const repo = await commitPhaseRun(ctx, { phase, iteration: input.iteration, feedback: input.feedback });
    await afterCommit?.(repo, result, phaseCtx);
    return result;
  });
}

/** Run one step of a phase (an activity that is part of it) with the workspace, log and failure handling of `runPhase`. */
export async function runStep<R>(phase: AgentPhase, session: { sessionId: string; workDir: string }, body: (ctx: StepContext) => Promise<R>): Promise<R> {
  const scope = currentScope();
  const workspace = (() => {
    try {
      return SessionWorkspace.forSession(session);
    } catch (err) {
      throw nonRetryable(AgentFailureType.PATH_ESCAPE, (err as Error).message, err as Error);
    }
  })();
  // Every attempt of this activity is the same writer: a retry replaces what a dead attempt wrote.
  workspace.writer = scope.execution ? `${scope.execution.workflowId}/${scope.execution.activityId}` : null;
  const log = new PhaseLog(workspace, phase, scope);
  try {
    return await body({ scope, workspace, log });
  } catch (err) {
    const failure = classify(err, scope, workspace.root);
    redactErrorMessages(failure);
    if (!(failure instanceof CancelledFailure) && !scope.signal.aborted) await reportFailure(workspace, log, failure, scope).catch(() => undefined);
    throw failure;
  }
}

function classify(err: unknown, scope: ActivityScope, workDir: string): unknown {
  if (scope.signal.aborted || err instanceof CancelledFailure || err instanceof ApplicationFailure) return err;
  if (err instanceof PathEscapeError) return nonRetryable(AgentFailureType.PATH_ESCAPE, err.message, err);
  if (err instanceof SandboxUnavailableError) return environmentFault(AgentFailureType.SANDBOX_UNAVAILABLE, err.message, err);
  if (err instanceof ConfigError || err instanceof CommandTemplateError) return nonRetryable(AgentFailureType.CONFIG, err.message, err);
  return environmentFaultOf(err, workDir) ?? err;
}

/**
 * A failed attempt in the session log: the first failure, each change of message, and otherwise at most one
 * line an hour, so a fault retried for a day does not write a line per attempt.
 */
async function reportFailure(workspace: SessionWorkspace, log: PhaseLog, failure: unknown, scope: ActivityScope): Promise<void> {
  const message = failure instanceof Error ? failure.message : String(failure);
  const type = failure instanceof ApplicationFailure ? failure.type : failure instanceof Error ? failure.name : 'Error';
  const attempt = scope.execution?.attempt ?? 1;
  if (failure instanceof ApplicationFailure && failure.nonRetryable) {
    await log.write('failed', `Failed (${type}, not retried): ${message}`);
  } else if (isFinalAttempt(failure, ordinaryFailuresSoFar() + (isOrdinaryFailure(failure) ? 1 : 0))) {
    await log.write('failed', `Failed (${type}) after ${attempt} attempts, not retried: ${message}`);
  } else if (await shouldLogRetry(workspace, scope.execution?.activityId ?? 'standalone', `${type}: ${message}`, Date.now())) {
    await log.write('attempt-failed', `Attempt ${attempt} failed (${type}): ${message}; Temporal retries it with backoff`, { perAttempt: true });
  }
}

/** One line saying what a model call (or a phase) cost. */
export function usageLine(usage: TokenUsage): string {
  return (
    `Model usage: ${usage.model}, ${usage.promptTokens} prompt + ${usage.completionTokens} completion = ` +
    `${usage.totalTokens} tokens in ${usage.requests} request(s)`
  );
}

/** Human-readable size and hash of what was written, for log lines. */
export function describeWrite(ref: { path: string; bytes: number; sha256: string }): string {
  return `${ref.path} (${ref.bytes} bytes, sha256 ${ref.sha256.slice(0, 12)})`;
}
