import { chmod, lchown, lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SandboxUnavailableError, type ResolvedSandbox } from './sandbox';

/** Entries of a work directory children may read but not change: the documents, the log and the scaffold. */
export const PROTECTED_ENTRIES = ['docs', 'logs', 'scaffold.sh'] as const;

/** The work directory's mode while children use it: the worker's, writable by the child's group, sticky. */
export const SHARED_WORK_DIR_MODE = 0o1770;

/**
 * Make the work directory usable by the unprivileged user children run as (when the worker is root): its
 * parent becomes traversable (not listable) by others; the directory itself stays the worker's, writable by
 * the child's group and sticky, so a child creates files there but cannot rename or delete the protected
 * entries; everything in it except those is handed to that user. Symlinks are never followed (`lchown`).
 * Every other ancestor must already be traversable.
 */
export async function prepareWorkDirForChild(workDir: string, sandbox: ResolvedSandbox): Promise<void> {
  if (sandbox.uid === undefined || sandbox.gid === undefined) return;
  const parent = path.dirname(workDir);
  const parentStat = await stat(parent);
  if ((parentStat.mode & 0o001) === 0) await chmod(parent, (parentStat.mode & 0o7777) | 0o001);
  for (let dir = path.dirname(parent); ; dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      throw new SandboxUnavailableError(
        `${dir} is not traversable by ${sandbox.userName}, so children cannot reach the work directory; ` +
          `run "chmod o+x ${dir}" or choose a WORK_DIR_BASE elsewhere`,
      );
    }
    if (dir === path.dirname(dir)) break;
  }
  await lchown(workDir, process.getuid?.() ?? 0, sandbox.gid);
  await chmod(workDir, SHARED_WORK_DIR_MODE);
  for (const entry of await readdir(workDir)) {
    if ((PROTECTED_ENTRIES as readonly string[]).includes(entry)) continue;
    await chownTree(path.join(workDir, entry), sandbox.uid, sandbox.gid);
  }
}

async function chownTree(target: string, uid: number, gid: number): Promise<void> {
  const info = await lstat(target);
  if (info.isSymbolicLink()) return;
  if (info.uid !== uid || info.gid !== gid) await lchown(target, uid, gid);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(target)) await chownTree(path.join(target, entry), uid, gid);
}
