import { chmod, lstat, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentPhase } from '../../workflows/definitions';
import { GIT_DIRS_MODE, GitCommandError, type GitIdentity, gitDirOf, runGit } from './git-command';

/**
 * What a repository being made is called until it is moved into place (`<id>.git.init-XXXXXX`); one an interrupted
 * start left behind is removed with the session's directories.
 */
export const GIT_DIR_STAGING_SUFFIX = '.init-';

/** The branch every session's history is on. */
export const SESSION_BRANCH = 'main';

/** What is never committed: the session's log and transcripts, dependencies, caches, the workspace's temp files. */
export const IGNORED_PATTERNS = [
  'logs/',
  'node_modules/',
  '__pycache__/',
  '*.py[cod]',
  '.venv/',
  'venv/',
  '.pytest_cache/',
  '.mypy_cache/',
  '.tox/',
  '.npm/',
  '.cache/',
  '.*.tmp',
] as const;

/** Email domain of the agents' identities (reserved: it never reaches anyone). */
const EMAIL_DOMAIN = 'orchestrator.invalid';

/** The author and committer of a phase's commits. */
export function phaseIdentity(phase: AgentPhase | 'orchestrator'): GitIdentity {
  return { name: phase, email: `${phase}@${EMAIL_DOMAIN}` };
}

/** The trailers that make a commit a phase run's (and let a retry find it). */
export const TRAILERS = { phase: 'Phase', iteration: 'Iteration', reviewRound: 'Review-Round', activity: 'Session-Activity' } as const;

/** One commit of a session, as its trailers describe it. */
export interface SessionCommit {
  sha: string;
  author: string;
  /** ISO 8601 author date. */
  at: string;
  subject: string;
  phase: AgentPhase | null;
  iteration: number | null;
  reviewRound: number | null;
  /** `<activityId>/<iteration>` of the activity that made it. */
  activity: string | null;
  /** Tags pointing at it. */
  tags: string[];
}

/** What one phase run commits. */
export interface PhaseRun {
  phase: AgentPhase;
  iteration: number;
  /** Null when it cannot be known (a session older than its repository). */
  reviewRound: number | null;
  /** `<activityId>/<iteration>`; null outside an activity (no retry to recognise). */
  activity: string | null;
}

/** A decision to tag: the review round and how it ended, with a message for the annotated tag. */
export interface Decision {
  round: number;
  outcome: 'approved' | 'rejected';
  message: string;
}

/** The tag of a decision: `review-2-approved`, `review-1-rejected`. */
export function decisionTag(decision: Pick<Decision, 'round' | 'outcome'>): string {
  return `review-${decision.round}-${decision.outcome}`;
}

const FIELD = '\x1f';
const RECORD = '\x1e';
const LOG_FORMAT = ['%H', '%an', '%aI', '%s', '%(trailers:only,unfold)', '%D'].join('%x1f') + '%x1e';

/**
 * A session's git repository as the worker writes it: the git directory outside the work directory
 * (`<base>/.git-dirs/<session>.git`, mode 0700), the work directory as its work tree, one branch.
 */
export class SessionRepo {
  readonly gitDir: string;

  constructor(readonly workDir: string) {
    this.gitDir = gitDirOf(workDir);
  }

  /** Whether the repository was made. */
  async exists(): Promise<boolean> {
    return (await lstat(path.join(this.gitDir, 'HEAD')).catch(() => null))?.isFile() ?? false;
  }

  /**
   * Make the repository when it is missing. It is made beside its place and moved there whole, so a reader (the
   * gateway listing commits) never finds one half made, which git calls "not a git repository". Idempotent: what a
   * crash half-way left has no HEAD and is made again.
   */
  async ensure(): Promise<void> {
    const dirs = path.dirname(this.gitDir);
    await mkdir(dirs, { recursive: true, mode: GIT_DIRS_MODE });
    await chmod(dirs, GIT_DIRS_MODE);
    if (await this.exists()) return;
    const staging = await mkdtemp(`${this.gitDir}${GIT_DIR_STAGING_SUFFIX}`);
    try {
      await runGit({ gitDir: staging, cwd: dirs, args: ['init', '--quiet', `--initial-branch=${SESSION_BRANCH}`] });
      await writeFile(path.join(staging, 'info', 'exclude'), `${IGNORED_PATTERNS.join('\n')}\n`);
      await rename(staging, this.gitDir).catch(async (err: unknown) => {
        if (await this.exists()) return; // made meanwhile by an attempt that overlapped this one
        if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        await rm(this.gitDir, { recursive: true, force: true }); // a crash half-way through an older `git init` in place
        await rename(staging, this.gitDir);
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** The session's commits, newest first (none before the first). */
  async commits(limit = 1000): Promise<SessionCommit[]> {
    if (!(await this.hasCommits())) return [];
    const out = await this.git(['log', `--max-count=${limit}`, `--format=${LOG_FORMAT}`, SESSION_BRANCH]);
    return out.split(RECORD).map((record) => record.replace(/^\n/, '')).filter(Boolean).map(parseCommit);
  }

  /** The newest commit, or null. */
  async head(): Promise<SessionCommit | null> {
    return (await this.commits(1))[0] ?? null;
  }

  /**
   * Commit the work tree as `run` (logs and ignored files left out). Idempotent: when the newest commit is already
   * this activity's (its attempt died after committing), nothing is added, unless the retry wrote different files,
   * which then replace that commit: one commit per phase run either way.
   */
  async commitPhase(run: PhaseRun): Promise<{ sha: string; created: boolean }> {
    const identity = phaseIdentity(run.phase);
    const head = await this.head();
    await this.git(['add', '--all', '--', '.'], { workTree: true });
    // The log stays out even when a .gitignore the generated code edited lets it in.
    await this.git(['rm', '-r', '--cached', '--quiet', '--ignore-unmatch', '--', 'logs'], { workTree: true });
    if (run.activity !== null && head?.activity === run.activity) {
      const changed = await this.git(['diff', '--cached', '--name-only', 'HEAD'], { workTree: true });
      if (changed.trim() === '') return { sha: head.sha, created: false };
      await this.git(['commit', '--quiet', '--amend', '--no-edit', '--allow-empty', '--no-verify'], { workTree: true, identity });
      return { sha: (await this.git(['rev-parse', 'HEAD'])).trim(), created: false };
    }
    const round = run.reviewRound === null ? '' : `, review round ${run.reviewRound}`;
    const trailers = [
      `${TRAILERS.phase}: ${run.phase}`,
      `${TRAILERS.iteration}: ${run.iteration}`,
      ...(run.reviewRound === null ? [] : [`${TRAILERS.reviewRound}: ${run.reviewRound}`]),
      ...(run.activity === null ? [] : [`${TRAILERS.activity}: ${run.activity}`]),
    ];
    const subject = `${run.phase}: iteration ${run.iteration}${round}`;
    await this.git(['commit', '--quiet', '--allow-empty', '--no-verify', '-m', subject, '-m', trailers.join('\n')], { workTree: true, identity });
    return { sha: (await this.git(['rev-parse', 'HEAD'])).trim(), created: true };
  }

  /** The review round of the newest PM or Architect commit (the round open or approved last), or null. */
  async latestReviewRound(): Promise<number | null> {
    const documents = (await this.commits()).find((commit) => commit.phase === 'pm' || commit.phase === 'architect');
    return documents?.reviewRound ?? null;
  }

  /**
   * Tag each decision not tagged yet on the newest PM or Architect commit of its round (what the reviewer saw);
   * a round with no such commit (history begun later) is skipped. Returns the tags made.
   */
  async tagDecisions(decisions: readonly Decision[]): Promise<string[]> {
    if (decisions.length === 0) return [];
    const commits = await this.commits();
    const made: string[] = [];
    for (const decision of decisions) {
      const name = decisionTag(decision);
      if (commits.some((commit) => commit.tags.includes(name))) continue;
      const target = commits.find((commit) => commit.reviewRound === decision.round && (commit.phase === 'pm' || commit.phase === 'architect'));
      if (!target) continue;
      await this.git(['tag', '--annotate', '--message', decision.message, '--end-of-options', name, target.sha], { identity: phaseIdentity('orchestrator') });
      target.tags.push(name);
      made.push(name);
    }
    return made;
  }

  /** Push the branch and every tag to `url` (never stored in the repository); `url` is kept out of any error. */
  async push(url: string, passthroughEnv: readonly string[]): Promise<void> {
    const { remote, helperArgs, extraEnv } = credentialsOutOfArgv(url);
    await this.git([...helperArgs, 'push', '--quiet', '--porcelain', '--end-of-options', remote, `refs/heads/${SESSION_BRANCH}:refs/heads/${SESSION_BRANCH}`, 'refs/tags/*:refs/tags/*'], {
      passthroughEnv,
      extraEnv,
      secrets: [url, ...Object.values(extraEnv)],
      timeoutMs: 300_000,
    });
  }

  private async hasCommits(): Promise<boolean> {
    if (!(await this.exists())) return false;
    try {
      await this.git(['rev-parse', '--quiet', '--verify', `refs/heads/${SESSION_BRANCH}`]);
      return true;
    } catch (err) {
      if (err instanceof GitCommandError && err.exitCode === 1) return false;
      throw err;
    }
  }

  private git(
    args: string[],
    options: {
      workTree?: boolean;
      identity?: GitIdentity;
      passthroughEnv?: readonly string[];
      extraEnv?: Readonly<Record<string, string>>;
      secrets?: readonly string[];
      timeoutMs?: number;
    } = {},
  ): Promise<string> {
    return runGit({
      gitDir: this.gitDir,
      ...(options.workTree ? { workTree: this.workDir } : {}),
      args,
      ...(options.identity ? { identity: options.identity } : {}),
      ...(options.passthroughEnv ? { passthroughEnv: options.passthroughEnv } : {}),
      ...(options.extraEnv ? { extraEnv: options.extraEnv } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
}

function parseCommit(record: string): SessionCommit {
  const [sha = '', author = '', at = '', subject = '', trailerText = '', refs = ''] = record.split(FIELD);
  const trailers = new Map<string, string>();
  for (const line of trailerText.split('\n')) {
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line.trim());
    if (match) trailers.set(match[1]!, match[2]!);
  }
  const int = (value: string | undefined): number | null => (value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : null);
  const phase = trailers.get(TRAILERS.phase);
  return {
    sha,
    author,
    at,
    subject,
    phase: phase === 'pm' || phase === 'architect' || phase === 'engineer' || phase === 'qa' ? phase : null,
    iteration: int(trailers.get(TRAILERS.iteration)),
    reviewRound: int(trailers.get(TRAILERS.reviewRound)),
    activity: trailers.get(TRAILERS.activity) ?? null,
    tags: refs
      .split(',')
      .map((ref) => ref.trim())
      .filter((ref) => ref.startsWith('tag: '))
      .map((ref) => ref.slice('tag: '.length)),
  };
}

/**
 * An http(s) push URL's user and password moved out of git's command line (which every local user can read in
 * /proc) into the child's environment, where a one-line credential helper hands them to git; other URLs as they are.
 */
export function credentialsOutOfArgv(url: string): { remote: string; helperArgs: string[]; extraEnv: Record<string, string> } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { remote: url, helperArgs: [], extraEnv: {} };
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || (parsed.username === '' && parsed.password === '')) {
    return { remote: url, helperArgs: [], extraEnv: {} };
  }
  const extraEnv = { ORCHESTRATOR_PUSH_USERNAME: decodeURIComponent(parsed.username), ORCHESTRATOR_PUSH_PASSWORD: decodeURIComponent(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  const helper = '!f() { test "$1" = get || exit 0; echo "username=$ORCHESTRATOR_PUSH_USERNAME"; echo "password=$ORCHESTRATOR_PUSH_PASSWORD"; }; f';
  return { remote: parsed.toString(), helperArgs: ['-c', 'credential.helper=', '-c', `credential.helper=${helper}`], extraEnv };
}
