import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';

/** Thrown when a path would leave the session's directory (`..`, absolute, or through a symlink). */
export class PathEscapeError extends Error {
  override readonly name = 'PathEscapeError';
}

/** Whether `candidate` is `root` or lies below it. */
export function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root + path.sep);
}

/** The absolute path of `relativePath` under `root`, refusing empty, absolute, NUL-bearing and `..` paths. */
export function resolveLexically(root: string, relativePath: string): string {
  if (typeof relativePath !== 'string' || relativePath === '' || path.isAbsolute(relativePath) || relativePath.includes('\0')) {
    throw new PathEscapeError(`not a relative path inside the work directory: ${JSON.stringify(relativePath)}`);
  }
  const absolute = path.resolve(root, relativePath);
  if (!absolute.startsWith(root + path.sep)) {
    throw new PathEscapeError(`path escapes the work directory: ${JSON.stringify(relativePath)}`);
  }
  return absolute;
}

/**
 * Check that the directory `dir` (under `root`) does not lead outside `realRoot` through a symlink, creating
 * the missing part only after the existing part was checked, so `mkdir -p` never follows a link out.
 */
export async function ensureDirectoryInside(root: string, realRoot: string, dir: string, create: boolean): Promise<void> {
  let existing = dir;
  const missing: string[] = [];
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.unshift(path.basename(existing));
      existing = path.dirname(existing);
      if (!isInside(root, existing)) throw new PathEscapeError(`no work directory at ${root}`);
    }
  }
  const real = await realpath(existing);
  if (!isInside(realRoot, real)) {
    throw new PathEscapeError(`${path.relative(root, existing) || '.'} leads outside the work directory through a symlink`);
  }
  if (!create || missing.length === 0) return;
  await mkdir(dir, { recursive: true });
  const after = await realpath(dir);
  if (!isInside(realRoot, after)) throw new PathEscapeError(`${path.relative(root, dir)} leads outside the work directory`);
}

/** Refuse a target that is a symlink resolving outside the work directory (for reads). */
export async function assertFileInside(realRoot: string, file: string): Promise<void> {
  const real = await realpath(file);
  if (!isInside(realRoot, real)) throw new PathEscapeError(`${file} leads outside the work directory through a symlink`);
}
