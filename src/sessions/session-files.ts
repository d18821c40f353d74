import { constants } from 'node:fs';
import { type FileHandle, open, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { isInside, resolveLexically } from '../../activities/workspace-paths';

const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

/**
 * Open a file of a session's work directory for reading, or null when there is none. Generated code may have
 * written into that directory, so nothing here follows a link out of it: a symlinked file (O_NOFOLLOW), a
 * directory that resolves outside, a FIFO or device (O_NONBLOCK, then "not a regular file") all count as absent.
 */
export async function openSessionFile(workDir: string, relativePath: string): Promise<FileHandle | null> {
  const root = path.resolve(workDir);
  const file = resolveLexically(root, relativePath);
  let handle: FileHandle;
  try {
    const [realRoot, realDir] = await Promise.all([realpath(root), realpath(path.dirname(file))]);
    if (!isInside(realRoot, realDir)) return null;
    handle = await open(path.join(realDir, path.basename(file)), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (ABSENT.has((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw err;
  }
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  return null;
}

/** Whether the session has a regular file at `relativePath` (see {@link openSessionFile}). */
export async function sessionFileExists(workDir: string, relativePath: string): Promise<boolean> {
  const handle = await openSessionFile(workDir, relativePath);
  await handle?.close();
  return handle !== null;
}

/** The text of a session file, or null when absent; refuses files over `maxBytes`. */
export async function readSessionFile(workDir: string, relativePath: string, maxBytes = 4 * 1024 * 1024): Promise<string | null> {
  const handle = await openSessionFile(workDir, relativePath);
  if (!handle) return null;
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new Error(`${relativePath} is larger than ${maxBytes} bytes`);
    return (await handle.readFile()).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Names of the regular files in a directory of the session's work directory (none when it is absent or
 * resolves outside it): the same policy as {@link openSessionFile}, applied to listings.
 */
export async function listSessionDir(workDir: string, relativeDir: string): Promise<string[]> {
  const root = path.resolve(workDir);
  const dir = resolveLexically(root, relativeDir);
  try {
    const [realRoot, realDir] = await Promise.all([realpath(root), realpath(dir)]);
    if (!isInside(realRoot, realDir)) return [];
    const entries = await readdir(realDir, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (err) {
    if (ABSENT.has((err as NodeJS.ErrnoException).code ?? '')) return [];
    throw err;
  }
}
