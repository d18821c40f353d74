import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ArtifactName, type ArtifactRef, type Phase, SESSION_LOG_PATH } from '../workflows/definitions';

const APPLIED_EVENTS_DIR = 'logs/.applied';

/** Thrown when a path would leave the session's directory. */
export class PathEscapeError extends Error {
  override readonly name = 'PathEscapeError';
}

/** A session's work directory: every file an agent writes goes through here, and never outside it. */
export class SessionWorkspace {
  readonly root: string;

  constructor(workDir: string) {
    if (!path.isAbsolute(workDir)) throw new PathEscapeError(`work directory must be absolute: ${workDir}`);
    this.root = path.resolve(workDir);
  }

  /** The absolute path of `relativePath`, refusing absolute paths and `..` escapes. */
  resolve(relativePath: string): string {
    if (relativePath === '' || path.isAbsolute(relativePath) || relativePath.includes('\0')) {
      throw new PathEscapeError(`not a relative path inside the work directory: ${JSON.stringify(relativePath)}`);
    }
    const absolute = path.resolve(this.root, relativePath);
    if (!absolute.startsWith(this.root + path.sep)) {
      throw new PathEscapeError(`path escapes the work directory: ${JSON.stringify(relativePath)}`);
    }
    return absolute;
  }

  /** Write a file atomically (temp file + rename) and describe it by path and hash. */
  async writeArtifact(name: ArtifactName, relativePath: string, content: string, mode = 0o644): Promise<ArtifactRef> {
    const target = this.resolve(relativePath);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, content, { mode });
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    const bytes = Buffer.byteLength(content);
    return { name, path: relativePath, sha256: createHash('sha256').update(content).digest('hex'), bytes };
  }

  /** Whether a file exists at `relativePath`. */
  async exists(relativePath: string): Promise<boolean> {
    try {
      return (await stat(this.resolve(relativePath))).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Append one timestamped, phase-tagged line to the session log. `eventId` makes a retried append a no-op:
   * the marker is written after the line, so a crash between the two may repeat the line, never lose it.
   */
  async appendLog(phase: Phase, message: string, eventId?: string): Promise<void> {
    const marker = eventId ? this.resolve(path.join(APPLIED_EVENTS_DIR, sanitizeEventId(eventId))) : null;
    if (marker && (await fileExists(marker))) return;
    const logFile = this.resolve(SESSION_LOG_PATH);
    await mkdir(path.dirname(logFile), { recursive: true });
    const line = `${new Date().toISOString()} [${phase}] ${message.replace(/\r?\n/g, ' ⏎ ')}\n`;
    const handle = await open(logFile, 'a');
    try {
      await handle.write(line);
    } finally {
      await handle.close();
    }
    if (marker) {
      await mkdir(path.dirname(marker), { recursive: true });
      await writeFile(marker, '');
    }
  }
}

function sanitizeEventId(eventId: string): string {
  const safe = eventId.replace(/[^A-Za-z0-9_-]/g, '');
  if (safe === '') throw new PathEscapeError(`unusable event id: ${JSON.stringify(eventId)}`);
  return safe;
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
