import { execFile } from 'node:child_process';
import { constants, realpathSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** `id` is looked up on a fixed system PATH, whatever the worker's own PATH holds. */
const SYSTEM_ENV = { env: { PATH: '/usr/bin:/bin:/usr/local/bin' } };

/** How a child process is isolated. */
export type Isolation =
  /** bubblewrap: own user, PID, IPC, UTS and network namespaces; only the work directory is writable. */
  | 'bwrap'
  /** No namespace sandbox: an unprivileged user (the worker is root), its own process group. */
  | 'unprivileged-user'
  /** No namespace sandbox and the worker's own (non-root) user, its own process group. */
  | 'worker-user';

/** Which sandbox to use: `auto` takes bubblewrap when it works, `bwrap` requires it, `none` skips it. */
export type SandboxMode = 'auto' | 'bwrap' | 'none';

/** The sandbox children of this worker get, resolved once per mode and user. */
export interface ResolvedSandbox {
  isolation: Isolation;
  /** The `RUN_SANDBOX` setting this was resolved for. */
  mode: SandboxMode;
  /** The user children run as. */
  userName: string;
  /** Set when the worker is root and children drop to `userName`. */
  uid?: number;
  gid?: number;
  bwrapPath: string | null;
  /** Why the sandbox is weaker than asked for (bubblewrap missing or refused), for the logs. */
  notice: string | null;
}

/** Child processes cannot be run safely with this configuration. */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
}

const cache = new Map<string, Promise<ResolvedSandbox>>();

/**
 * Decide how children run. A root worker always drops them to `userName` (never root: a user that does not
 * exist or is root is an error); bubblewrap is probed once by running `true` in it as that user.
 */
export function resolveSandbox(mode: SandboxMode, userName: string): Promise<ResolvedSandbox> {
  const key = `${mode}:${userName}`;
  let resolved = cache.get(key);
  if (!resolved) {
    resolved = probe(mode, userName);
    cache.set(key, resolved);
    resolved.catch(() => cache.delete(key));
  }
  return resolved;
}

async function probe(mode: SandboxMode, userName: string): Promise<ResolvedSandbox> {
  const isRoot = process.getuid?.() === 0;
  let ids: { uid?: number; gid?: number } = {};
  let name = userName;
  if (isRoot) {
    ids = await lookupUser(userName);
    if (ids.uid === 0) throw new SandboxUnavailableError(`RUN_AS_USER ${userName} is root; children must run unprivileged`);
  } else {
    name = (await run('id', ['-un'], SYSTEM_ENV)).stdout.trim() || `uid ${process.getuid?.()}`;
  }
  const fallback: Isolation = isRoot ? 'unprivileged-user' : 'worker-user';
  if (mode === 'none') {
    return { isolation: fallback, mode, userName: name, ...ids, bwrapPath: null, notice: 'sandbox disabled (RUN_SANDBOX=none)' };
  }
  const bwrapPath = await findOnPath('bwrap');
  const problem = bwrapPath ? await bwrapProblem(bwrapPath, ids) : 'bubblewrap (bwrap) is not installed';
  if (!problem) return { isolation: 'bwrap', mode, userName: name, ...ids, bwrapPath, notice: null };
  if (mode === 'bwrap') throw new SandboxUnavailableError(`RUN_SANDBOX=bwrap but ${problem}`);
  return {
    isolation: fallback,
    mode,
    userName: name,
    ...ids,
    bwrapPath: null,
    notice: `${problem}; children run as ${name} in their own process group, without namespace isolation or network cut-off`,
  };
}

/**
 * Why code the orchestrator did not write (a model's scaffold or project, an external agent CLI) may not run in
 * this sandbox, or null when it may. Children that run as the worker's own user without bubblewrap can read the
 * worker's environment (its API keys) through `/proc/<pid>/environ` and reach the network, so running such code
 * there takes an explicit `RUN_SANDBOX=none`.
 */
export function untrustedCodeRefusal(sandbox: ResolvedSandbox): string | null {
  if (sandbox.isolation !== 'worker-user' || sandbox.mode === 'none') return null;
  return (
    `children would run as the worker's own user ${sandbox.userName} without bubblewrap, where they can read the worker's ` +
    `environment (its API keys) through /proc and reach the network; install bubblewrap, run the worker as root so ` +
    `children drop to RUN_AS_USER, or set RUN_SANDBOX=none to accept this`
  );
}

async function lookupUser(userName: string): Promise<{ uid: number; gid: number }> {
  try {
    const uid = Number((await run('id', ['-u', userName], SYSTEM_ENV)).stdout.trim());
    const gid = Number((await run('id', ['-g', userName], SYSTEM_ENV)).stdout.trim());
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
  } catch {
    // reported below
  }
  throw new SandboxUnavailableError(`the worker runs as root and RUN_AS_USER ${userName} does not exist; create it or name another user`);
}

async function findOnPath(command: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

async function bwrapProblem(bwrapPath: string, ids: { uid?: number; gid?: number }): Promise<string | null> {
  try {
    await run(bwrapPath, ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', 'true'], { ...ids, timeout: 10_000 });
    return null;
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    return `bubblewrap does not work here (${detail.split('\n')[0]})`;
  }
}

/** Paths bound read-only into every sandbox, when they exist. */
const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'];

/** What a bubblewrap sandbox exposes for one run. */
export interface BwrapLayout {
  workDir: string;
  /** Absolute paths inside the work directory bound read-only over the writable one. */
  readOnly: string[];
  /** Host paths outside the system directories the child needs to read (an agent CLI's own directory). */
  extraReadOnly?: string[];
  network: boolean;
}

/**
 * bubblewrap arguments: system directories read-only, a private /tmp, /proc and /dev, the work directory the
 * only writable path, no network unless asked, every namespace unshared, and the sandbox killed with its parent.
 */
export function bwrapArgs(layout: BwrapLayout): string[] {
  const args = ['--die-with-parent', '--new-session', '--unshare-all'];
  if (layout.network) args.push('--share-net');
  for (const dir of SYSTEM_PATHS) args.push('--ro-bind-try', dir, dir);
  const nodePrefix = path.dirname(path.dirname(realpathSync(process.execPath)));
  if (!SYSTEM_PATHS.some((dir) => nodePrefix === dir || nodePrefix.startsWith(`${dir}/`))) {
    args.push('--ro-bind', nodePrefix, nodePrefix);
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const dir of layout.extraReadOnly ?? []) args.push('--ro-bind', dir, dir);
  args.push('--bind', layout.workDir, layout.workDir);
  for (const file of layout.readOnly) args.push('--ro-bind-try', file, file);
  args.push('--chdir', layout.workDir);
  return args;
}
