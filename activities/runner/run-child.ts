import { spawn } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { childEnv } from './child-env';
import { OutputBuffer } from './output-buffer';
import { bwrapArgs, type Isolation, type ResolvedSandbox } from './sandbox';
import { PROTECTED_ENTRIES, prepareWorkDirForChild } from './work-dir-access';

/** Grace between SIGTERM and SIGKILL when a run is stopped. */
const KILL_GRACE_MS = 2_000;

/** One child process run. */
export interface ChildRun {
  command: string;
  args: readonly string[];
  /** The session's work directory: the child's cwd and its only writable path. */
  workDir: string;
  timeoutMs: number;
  /** Output kept, head and tail. */
  outputLimitBytes: number;
  sandbox: ResolvedSandbox;
  /** Variables copied by name from the worker's environment (the command provider's API keys). */
  passthroughEnv?: readonly string[];
  /** Host directories the child may read besides the system ones (bubblewrap binds them read-only). */
  readOnlyDirs?: readonly string[];
  /** Let the child reach the network (the command provider's agent CLI needs its model). @default false */
  network?: boolean;
  /** Aborting kills the child's process tree; the run then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called about once a second while the child runs (activities heartbeat here). */
  onTick?: () => void;
}

/** How a child run ended. */
export interface ChildResult {
  exitCode: number | null;
  /** The signal that ended the child, if any. */
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** Combined stdout and stderr, capped. */
  output: string;
  outputBytes: number;
  truncated: boolean;
  isolation: Isolation;
  user: string;
}

/**
 * Run a command in the work directory: scrubbed environment, never as root, in its own process group
 * (and, with bubblewrap, its own namespaces) that is killed on timeout and on abort. A `timeout(1)` wrapper
 * kills the group even if this worker dies first.
 */
export async function runChild(options: ChildRun): Promise<ChildResult> {
  options.signal?.throwIfAborted();
  const { sandbox } = options;
  await prepareWorkDirForChild(options.workDir, sandbox);
  const home = sandbox.isolation === 'bwrap' ? null : await privateHome(sandbox);
  try {
    const env = childEnv(home ?? '/tmp', options.passthroughEnv);
    const guardSeconds = Math.ceil(options.timeoutMs / 1000) + 5;
    const inner =
      sandbox.isolation === 'bwrap'
        ? [
            sandbox.bwrapPath!,
            ...bwrapArgs({
              workDir: options.workDir,
              readOnly: PROTECTED_ENTRIES.map((entry) => path.join(options.workDir, entry)),
              network: options.network ?? false,
              extraReadOnly: [...(options.readOnlyDirs ?? [])],
            }),
            '--',
            options.command,
            ...options.args,
          ]
        : [options.command, ...options.args];
    const argv = ['timeout', '-k', '5', `${guardSeconds}s`, ...inner];
    return await spawnAndWait(argv, env, options);
  } finally {
    if (home) await rm(home, { recursive: true, force: true });
  }
}

async function privateHome(sandbox: ResolvedSandbox): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-child-'));
  if (sandbox.uid !== undefined && sandbox.gid !== undefined) await chown(home, sandbox.uid, sandbox.gid);
  return home;
}

function spawnAndWait(argv: string[], env: Record<string, string>, options: ChildRun): Promise<ChildResult> {
  const { sandbox } = options;
  const started = Date.now();
  const output = new OutputBuffer(options.outputLimitBytes);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.workDir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(sandbox.uid !== undefined ? { uid: sandbox.uid, gid: sandbox.gid } : {}),
  });
  child.stdout.on('data', (chunk: Buffer) => output.write(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.write(chunk));

  let timedOut = false;
  let killTimer: NodeJS.Timeout | null = null;
  const killTree = (): void => {
    if (killTimer || child.pid === undefined) return;
    signalGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killTree();
  }, options.timeoutMs);
  const ticker = setInterval(() => options.onTick?.(), 1_000);
  const onAbort = (): void => killTree();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  return new Promise<ChildResult>((resolve, reject) => {
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', onAbort);
      // Whatever is left of the group (a grandchild holding the pipes) goes too.
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      child.stdout.destroy();
      child.stderr.destroy();
      if (options.signal?.aborted) {
        reject(options.signal.reason instanceof Error ? options.signal.reason : new Error('child run aborted'));
        return;
      }
      resolve({
        exitCode,
        signal,
        timedOut,
        durationMs: Date.now() - started,
        output: output.toString(),
        outputBytes: output.totalBytes,
        truncated: output.truncated,
        isolation: sandbox.isolation,
        user: sandbox.userName,
      });
    };
    child.once('error', (err) => {
      clearTimeout(timer);
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      // Let the pipes drain briefly, but never wait on a grandchild that keeps them open.
      const drained = new Promise<void>((done) => child.once('close', () => done()));
      void Promise.race([drained, new Promise<void>((done) => setTimeout(done, 200))]).then(() => finish(code, signal));
    });
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
