import { execFile } from 'node:child_process';
import path from 'node:path';
import { redactCredentials } from '../../src/redaction';

/** Where a session's git directories live, under the work directory base; only the worker may enter it. */
export const GIT_DIRS = '.git-dirs';
/** Mode of {@link GIT_DIRS}: the worker's alone, so a child (another user) can neither read nor write it. */
export const GIT_DIRS_MODE = 0o700;

/**
 * Options every git command gets on the command line: no hooks, no signing, no file-system monitor, paths printed
 * as they are. With the global and system configuration off (see {@link gitEnv}), nothing outside the session's own
 * git directory changes what git does.
 */
const SAFE_OPTIONS = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'commit.gpgSign=false',
  '-c', 'tag.gpgSign=false',
  '-c', 'core.quotePath=false',
  '-c', 'core.autocrlf=false',
  '-c', 'gc.auto=0',
];

/** The machine has no `git` on the worker's PATH. */
export class GitUnavailableError extends Error {
  override readonly name = 'GitUnavailableError';
}

/** A git command exited non-zero; `stderr` is redacted. */
export class GitCommandError extends Error {
  override readonly name = 'GitCommandError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** The git directory of the session whose work directory is `workDir`: outside it, beside its siblings. */
export function gitDirOf(workDir: string): string {
  const root = path.resolve(workDir);
  return path.join(path.dirname(root), GIT_DIRS, `${path.basename(root)}.git`);
}

/** Identity of a commit's author and committer, or a tag's tagger. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** One git invocation against a session's repository. */
export interface GitRun {
  gitDir: string;
  /** The work tree, for commands that read it (add, status); also the cwd then. */
  workTree?: string;
  args: readonly string[];
  identity?: GitIdentity;
  /** Variables copied by name from the worker's environment (a push's SSH agent or proxy). */
  passthroughEnv?: readonly string[];
  /** Variables set for this child only (a push's credentials: the environment, unlike argv, is not world-readable). */
  extraEnv?: Readonly<Record<string, string>>;
  /** Text that must never appear in an error (a push URL with credentials): replaced before it is thrown. */
  secrets?: readonly string[];
  /** The child's cwd (it must exist, or the spawn fails as if git were missing). @default workTree, else gitDir */
  cwd?: string;
  /** @default 120000 */
  timeoutMs?: number;
  /** Largest stdout kept, in bytes. @default 64 MiB */
  maxBytes?: number;
  /** Return stdout as bytes (bundles). */
  binary?: boolean;
}

/**
 * The environment of every git child: a PATH, no HOME worth reading, no system or global configuration, no
 * prompts, C locale, and the repository given explicitly so nothing is discovered from the cwd. No other variable
 * of the worker (API keys, tokens) reaches git unless named in `passthroughEnv`.
 */
export function gitEnv(run: Pick<GitRun, 'gitDir' | 'workTree' | 'identity' | 'passthroughEnv' | 'extraEnv'>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
    GIT_DIR: run.gitDir,
  };
  if (run.workTree) env.GIT_WORK_TREE = run.workTree;
  if (run.identity) {
    env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = run.identity.name;
    env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = run.identity.email;
  }
  for (const name of run.passthroughEnv ?? []) if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...run.extraEnv };
}

/** Run git; resolves with stdout, rejects with {@link GitUnavailableError} or {@link GitCommandError}. */
export function runGit(run: GitRun & { binary: true }): Promise<Buffer>;
export function runGit(run: GitRun): Promise<string>;
export function runGit(run: GitRun): Promise<string | Buffer> {
  const scrub = (text: string): string => {
    let clean = text;
    for (const secret of run.secrets ?? []) if (secret) clean = clean.split(secret).join('[redacted]');
    return redactCredentials(clean);
  };
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...SAFE_OPTIONS, ...run.args],
      {
        cwd: run.cwd ?? run.workTree ?? run.gitDir,
        env: gitEnv(run),
        timeout: run.timeoutMs ?? 120_000,
        maxBuffer: run.maxBytes ?? 64 * 1024 * 1024,
        encoding: run.binary ? 'buffer' : 'utf8',
      },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code: unknown = (err as { code?: unknown }).code;
        if (code === 'ENOENT' && (err as NodeJS.ErrnoException).path === 'git') {
          return reject(new GitUnavailableError('git is not installed on the worker\'s PATH: install git (Debian: apt-get install git)'));
        }
        const text = scrub(Buffer.isBuffer(stderr) ? stderr.toString('utf8') : String(stderr)).trim();
        const verb = run.args.find((arg) => !arg.startsWith('-')) ?? 'git';
        const exitCode = typeof code === 'number' ? code : null;
        const detail = text.split('\n').slice(-3).join(' ') || scrub(err.message);
        reject(new GitCommandError(`git ${verb} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${detail}`, exitCode, text));
      },
    );
  });
}

/** Whether git runs here at all (for preflight). */
export async function gitVersion(): Promise<string> {
  return (await runGit({ gitDir: '/nonexistent', cwd: '/', args: ['--version'] }).catch((err: unknown) => {
    if (err instanceof GitCommandError) return 'git (version unknown)';
    throw err;
  })).trim();
}
