import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GitCommandError, runGit } from '../../activities/git/git-command';
import { SESSION_BRANCH, type SessionCommit, SessionRepo } from '../../activities/git/session-repo';
import { ValidationError } from '../orchestration/errors';

export type { SessionCommit } from '../../activities/git/session-repo';

/**
 * A ref as the API accepts it: a branch, tag or (abbreviated) commit id, optionally followed by `~n` / `^`. It cannot
 * start with `-` (an option) and has no spaces, colons or `@{`: git's own grammar is checked when it is resolved.
 */
export const GIT_REF_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._/~^-]{0,199}$/;

/** The empty tree: what the first commit is diffed against. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
/** Largest diff served, in bytes. */
const MAX_DIFF_BYTES = 32 * 1024 * 1024;

/** The session has no history (started before histories were kept, or no phase finished yet). */
export class NoHistoryYetError extends Error {
  override readonly name = 'NoHistoryYetError';
}

/** A ref the session's history does not have. */
export class RefNotFoundError extends Error {
  override readonly name = 'RefNotFoundError';
}

/** A session's history in git, bundled: where it is and how to let it go. */
export interface SessionBundle {
  file: string;
  bytes: number;
  /** Delete the file (after it was sent). */
  dispose(): Promise<void>;
}

/**
 * Reading a session's git history (commits, diffs, a bundle of all of it) for the gateway and the CLI. The git
 * directory is found from the work directory, as the worker made it; nothing here writes to it.
 */
export class SessionGit {
  constructor(private readonly workDirOf: (sessionId: string) => Promise<string>) {}

  /** The session's commits, oldest first (empty before the first phase finished). */
  async commits(sessionId: string): Promise<SessionCommit[]> {
    return (await this.repo(sessionId).then((repo) => repo.commits())).reverse();
  }

  /**
   * The unified diff between two refs of the session's history. `to` defaults to the branch's newest commit, `from`
   * to the parent of `to` (the empty tree for the first commit), so `to` alone is what that commit changed.
   */
  async diff(sessionId: string, from: string | undefined, to: string | undefined): Promise<string> {
    for (const ref of [from, to]) {
      if (ref !== undefined && !GIT_REF_PATTERN.test(ref)) throw new ValidationError(`not a ref: ${JSON.stringify(ref)} (a branch, tag or commit id, optionally with ~n or ^)`);
    }
    const repo = await this.existingRepo(sessionId);
    const toSha = await this.resolve(repo, to ?? SESSION_BRANCH);
    const fromSha = from === undefined ? ((await this.tryResolve(repo, `${toSha}^`)) ?? EMPTY_TREE) : await this.resolve(repo, from);
    return runGit({
      gitDir: repo.gitDir,
      args: ['diff', '--no-color', '--no-ext-diff', '--no-textconv', '--find-renames', '--end-of-options', fromSha, toSha],
      maxBytes: MAX_DIFF_BYTES,
    });
  }

  /** The whole history (branch and tags) as a git bundle in a temporary file: `git clone <file>` restores it. */
  async bundle(sessionId: string): Promise<SessionBundle> {
    const repo = await this.existingRepo(sessionId);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'session-bundle-'));
    const file = path.join(dir, `${sessionId}.bundle`);
    const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
    try {
      await runGit({ gitDir: repo.gitDir, args: ['bundle', 'create', '--quiet', file, '--all'], timeoutMs: 300_000 });
      return { file, bytes: (await stat(file)).size, dispose };
    } catch (err) {
      await dispose();
      throw err;
    }
  }

  private async repo(sessionId: string): Promise<SessionRepo> {
    return new SessionRepo(await this.workDirOf(sessionId));
  }

  private async existingRepo(sessionId: string): Promise<SessionRepo> {
    const repo = await this.repo(sessionId);
    if ((await repo.head()) === null) throw new NoHistoryYetError(`session ${sessionId} has no git history yet (no phase has finished since histories are kept)`);
    return repo;
  }

  private async resolve(repo: SessionRepo, ref: string): Promise<string> {
    const sha = await this.tryResolve(repo, ref);
    if (sha === null) throw new RefNotFoundError(`no commit ${JSON.stringify(ref)} in the session's history`);
    return sha;
  }

  private async tryResolve(repo: SessionRepo, ref: string): Promise<string | null> {
    try {
      return (await runGit({ gitDir: repo.gitDir, args: ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`] })).trim();
    } catch (err) {
      if (err instanceof GitCommandError) return null;
      throw err;
    }
  }
}
