import type { AgentPhase, FeedbackEntry } from '../../workflows/definitions';
import type { StepContext } from '../agents/step-context';
import { AgentFailureType, environmentFault } from '../failures';
import { GitCommandError, GitUnavailableError } from './git-command';
import { type Decision, IGNORED_PATTERNS, SessionRepo } from './session-repo';

/** The `.gitignore` a session's work tree gets (the same patterns are enforced from the protected git directory). */
export const GITIGNORE = `# Written by the orchestrator: never committed to the session's history.\n${IGNORED_PATTERNS.join('\n')}\n`;

/** Longest feedback quoted in a rejection tag's message. */
const TAG_FEEDBACK_CHARS = 2_000;

/** What a phase run knows about where it stands. */
export interface PhaseRunPosition {
  phase: AgentPhase;
  iteration: number;
  /**
   * All reviewer feedback so far, when the activity has it (every `AgentInput`); null for a step without it (the
   * Engineer loop's finish), whose round is then read from the history itself.
   */
  feedback: readonly FeedbackEntry[] | null;
}

/**
 * The review round a phase run belongs to, from its input: every rejection adds one feedback entry and opens the
 * next round, so PM and Architect feed round `feedback + 1`, and Engineer and QA run after that round was approved.
 */
export function reviewRoundOf(feedback: readonly FeedbackEntry[]): number {
  return feedback.length + 1;
}

/**
 * The decisions a phase run can vouch for, lazily tagged since decisions happen in the workflow: every rejection
 * (one per feedback entry, round k rejected by entry k), and for Engineer and QA the approval of their round.
 */
export function decisionsSeenBy(phase: AgentPhase, feedback: readonly FeedbackEntry[] | null, round: number | null): Decision[] {
  const decisions: Decision[] = (feedback ?? []).map((entry, index) => ({
    round: index + 1,
    outcome: 'rejected',
    message: `Review round ${index + 1} rejected${entry.by ? ` by ${entry.by}` : ''} (back to ${entry.rejectTo}):\n\n${entry.feedback.slice(0, TAG_FEEDBACK_CHARS)}`,
  }));
  if ((phase === 'engineer' || phase === 'qa') && round !== null) {
    decisions.push({ round, outcome: 'approved', message: `Review round ${round} approved` });
  }
  return decisions;
}

/**
 * Commit what a phase run left in the work directory, once per activity (retries included), after tagging the
 * decisions it has seen. The repository is made on first use, with a `.gitignore` in the work tree. Git missing
 * is an environment fault (retried while the session stays running); a full disk as well.
 */
export async function commitPhaseRun(ctx: StepContext, position: PhaseRunPosition): Promise<SessionRepo> {
  const repo = new SessionRepo(ctx.workspace.root);
  try {
    await repo.ensure();
    if (!(await ctx.workspace.exists('.gitignore'))) await ctx.workspace.writeFile('.gitignore', GITIGNORE);
    const round = position.feedback ? reviewRoundOf(position.feedback) : await repo.latestReviewRound();
    const tags = await repo.tagDecisions(decisionsSeenBy(position.phase, position.feedback, round));
    const execution = ctx.scope.execution;
    const activity = execution ? `${execution.activityId}/${position.iteration}` : null;
    const commit = await repo.commitPhase({ phase: position.phase, iteration: position.iteration, reviewRound: round, activity });
    const tagged = tags.length > 0 ? `; tagged ${tags.join(', ')}` : '';
    await ctx.log.write('committed', `Committed ${commit.sha.slice(0, 12)} as ${position.phase} (iteration ${position.iteration}${round === null ? '' : `, review round ${round}`})${tagged}`);
    return repo;
  } catch (err) {
    throw gitFault(err) ?? err;
  }
}

/** The environment fault a git failure stands for, or null. */
export function gitFault(err: unknown): Error | null {
  if (err instanceof GitUnavailableError) return environmentFault(AgentFailureType.GIT_UNAVAILABLE, err.message, err);
  if (err instanceof GitCommandError && /No space left on device|Disk quota exceeded|Read-only file system/i.test(err.stderr)) {
    return environmentFault(AgentFailureType.DISK_UNAVAILABLE, `${err.message}; free some space or make the disk writable`, err);
  }
  return null;
}
