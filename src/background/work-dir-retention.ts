import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { SESSION_ID_PREFIX, SESSION_LOG_PATH } from '../../workflows/definitions';
import { gitDirOf } from '../../activities/git/git-command';
import { GIT_DIR_STAGING_SUFFIX } from '../../activities/git/session-repo';

const DAY_MS = 24 * 60 * 60 * 1000;
const SESSION_DIR = new RegExp(`^${SESSION_ID_PREFIX}[A-Za-z0-9_-]{1,64}$`);

/** One sweep of the work directory base. */
export interface SweepOptions {
  workDirBase: string;
  /** A work directory untouched for longer than this may go. */
  maxAgeMs: number;
  /** Whether the session still runs; its directory is kept whatever its age. */
  isActive: (sessionId: string) => Promise<boolean>;
  /** @default Date.now() */
  now?: number;
}

/** What a sweep did. */
export interface SweepReport {
  removed: string[];
  kept: number;
  errors: string[];
}

/**
 * The retention policy: a session's work directory is deleted once the session is no longer running (or no
 * longer known to Temporal) and neither the directory nor its log changed for `maxAgeMs`. Only direct children
 * named like session ids are considered (with each its git directory); symlinks are never followed or deleted through.
 */
export async function sweepWorkDirs(options: SweepOptions): Promise<SweepReport> {
  const now = options.now ?? Date.now();
  const report: SweepReport = { removed: [], kept: 0, errors: [] };
  let entries;
  try {
    entries = await readdir(options.workDirBase, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw err;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || !SESSION_DIR.test(entry.name)) continue;
    const dir = path.join(options.workDirBase, entry.name);
    try {
      const changed = Math.max((await lstat(dir)).mtimeMs, await mtimeOf(path.join(dir, SESSION_LOG_PATH)));
      if (now - changed < options.maxAgeMs || (await options.isActive(entry.name))) {
        report.kept += 1;
        continue;
      }
      await rm(dir, { recursive: true, force: true });
      await rm(gitDirOf(dir), { recursive: true, force: true });
      await removeStagedGitDirs(gitDirOf(dir));
      report.removed.push(entry.name);
    } catch (err) {
      report.errors.push(`${entry.name}: ${(err as Error).message}`);
    }
  }
  return report;
}

/** Repositories of the session that an interrupted start left half made beside its git directory. */
async function removeStagedGitDirs(gitDir: string): Promise<void> {
  const prefix = `${path.basename(gitDir)}${GIT_DIR_STAGING_SUFFIX}`;
  const names = await readdir(path.dirname(gitDir)).catch(() => [] as string[]);
  for (const name of names) if (name.startsWith(prefix)) await rm(path.join(path.dirname(gitDir), name), { recursive: true, force: true });
}

async function mtimeOf(file: string): Promise<number> {
  try {
    return (await lstat(file)).mtimeMs;
  } catch {
    return 0;
  }
}

/** A session counts as active while its workflow runs; a session Temporal no longer knows is not. */
export function sessionIsActive(client: Client): (sessionId: string) => Promise<boolean> {
  return async (sessionId) => {
    try {
      return (await client.workflow.getHandle(sessionId).describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
}

/** Options of the periodic sweep a worker runs. */
export interface RetentionOptions {
  client: Client;
  workDirBase: string;
  retentionDays: number;
  /** @default 1 hour */
  intervalMs?: number;
  onReport?: (report: SweepReport) => void;
  onError?: (err: unknown) => void;
}

/** Sweep now and then every `intervalMs` (unref'd, so it never holds the process open); returns a stop function. */
export function startWorkDirRetention(options: RetentionOptions): () => void {
  const sweep = (): void => {
    sweepWorkDirs({
      workDirBase: path.resolve(options.workDirBase),
      maxAgeMs: options.retentionDays * DAY_MS,
      isActive: sessionIsActive(options.client),
    }).then(
      (report) => options.onReport?.(report),
      (err: unknown) => options.onError?.(err),
    );
  };
  sweep();
  const timer = setInterval(sweep, options.intervalMs ?? 60 * 60 * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
