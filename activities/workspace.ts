import { constants } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type ArtifactName, type ArtifactRef, DOCUMENT_NAMES, type Phase, SESSION_ID_PATTERN, SESSION_LOG_PATH } from '../workflows/definitions';
import { revisionPath, revisionsIn, HISTORY_DIR } from './workspace-history';
import { assertFileInside, ensureDirectoryInside, PathEscapeError, resolveLexically } from './workspace-paths';

export { PathEscapeError } from './workspace-paths';

const APPLIED_EVENTS_DIR = 'logs/.applied';
/** Who last wrote each document (kept in the protected logs/). */
const WRITERS_PATH = 'logs/.document-writers.json';
/** Artifacts whose earlier revisions are kept under `docs/history/`: the documents. */
const VERSIONED: readonly ArtifactName[] = DOCUMENT_NAMES;

/** A session's work directory: every file an agent writes goes through here, and never outside it. */
export class SessionWorkspace {
  readonly root: string;
  private realRootPromise: Promise<string> | null = null;
  /**
   * The activity execution writing through this workspace (the same for all of its attempts), or null. A document
   * it wrote in an attempt that died is replaced by the retry, not kept as a revision: one set of artifacts.
   */
  writer: string | null = null;

  constructor(workDir: string) {
    if (!path.isAbsolute(workDir)) throw new PathEscapeError(`work directory must be absolute: ${workDir}`);
    this.root = path.resolve(workDir);
  }

  /** The workspace of a session, refusing a work directory not named after the (well-formed) session id. */
  static forSession(input: { sessionId: string; workDir: string }): SessionWorkspace {
    if (!SESSION_ID_PATTERN.test(input.sessionId) || path.basename(path.resolve(input.workDir)) !== input.sessionId) {
      throw new PathEscapeError(`work directory ${JSON.stringify(input.workDir)} does not belong to session ${JSON.stringify(input.sessionId)}`);
    }
    return new SessionWorkspace(input.workDir);
  }

  /** The absolute path of `relativePath`, refusing absolute paths and `..` escapes (symlinks are checked on use). */
  resolve(relativePath: string): string {
    return resolveLexically(this.root, relativePath);
  }

  /**
   * Write a file atomically (temp file, fsync, rename) and describe it by path and hash. A document artifact
   * whose content changes keeps its previous revision under `docs/history/`.
   */
  async writeArtifact(name: ArtifactName, relativePath: string, content: string, mode = 0o644): Promise<ArtifactRef> {
    const target = await this.safeTarget(relativePath);
    if (VERSIONED.includes(name)) {
      const writers = await this.documentWriters();
      if (this.writer === null || writers[relativePath] !== this.writer) await this.keepRevision(relativePath, target, content);
      await atomicWrite(target, content, mode);
      if (this.writer !== null && writers[relativePath] !== this.writer) {
        await atomicWrite(await this.safeTarget(WRITERS_PATH), JSON.stringify({ ...writers, [relativePath]: this.writer }), 0o644);
      }
      return describe(name, relativePath, content);
    }
    await atomicWrite(target, content, mode);
    return describe(name, relativePath, content);
  }

  /** Write a project file (code) atomically. */
  writeFile(relativePath: string, content: string, mode = 0o644): Promise<ArtifactRef> {
    return this.writeArtifact('code', relativePath, content, mode);
  }

  /** Describe a file a child process wrote, by path and hash; null when it is not a regular file inside. */
  async describeFile(name: ArtifactName, relativePath: string): Promise<ArtifactRef | null> {
    const content = await this.readBytes(relativePath, 16 * 1024 * 1024);
    if (content === null) return null;
    return { name, path: relativePath, sha256: createHash('sha256').update(content).digest('hex'), bytes: content.length };
  }

  /** Whether a regular file exists at `relativePath`. */
  async exists(relativePath: string): Promise<boolean> {
    try {
      return (await lstat(this.resolve(relativePath))).isFile();
    } catch {
      return false;
    }
  }

  /** A text file's content, or null when missing; refuses files that lead outside through a symlink. */
  async readText(relativePath: string, maxBytes = 1024 * 1024): Promise<string | null> {
    return (await this.readBytes(relativePath, maxBytes))?.toString('utf8') ?? null;
  }

  /**
   * Regular files under the work directory (relative, sorted), skipping symlinks and the directories named in
   * `skip` (matched against top-level entries and any directory name such as node_modules).
   */
  async listFiles(skip: readonly string[] = [], limit = 2000): Promise<string[]> {
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(path.join(this.root, dir), { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const relative = dir ? `${dir}/${entry.name}` : entry.name;
        if (files.length >= limit) return;
        if (entry.isDirectory() && !skip.includes(entry.name) && !skip.includes(relative)) await walk(relative);
        else if (entry.isFile() && !skip.includes(relative)) files.push(relative);
      }
    };
    await walk('');
    return files;
  }

  /**
   * Append one timestamped, phase-tagged line to the session log. `eventId` makes a retried append a no-op:
   * the marker is written after the line, so a crash between the two may repeat the line, never lose it.
   * The log is opened without following symlinks.
   */
  async appendLog(phase: Phase, message: string, eventId?: string): Promise<void> {
    const marker = eventId ? await this.safeTarget(`${APPLIED_EVENTS_DIR}/${sanitizeEventId(eventId)}`) : null;
    if (marker && (await pathExists(marker))) return;
    const logFile = await this.safeTarget(SESSION_LOG_PATH);
    const line = `${new Date().toISOString()} [${phase}] ${message.replace(/\r?\n/g, ' ⏎ ')}\n`;
    const handle = await open(logFile, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
    try {
      await handle.write(line);
    } finally {
      await handle.close();
    }
    if (marker) {
      const markerHandle = await open(marker, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
      await markerHandle.close();
    }
  }

  /** The work directory's real path (creating it), against which symlinks are judged. */
  private realRoot(): Promise<string> {
    this.realRootPromise ??= (async () => {
      await mkdir(this.root, { recursive: true });
      return realpath(this.root);
    })().catch((err: unknown) => {
      this.realRootPromise = null;
      throw err;
    });
    return this.realRootPromise;
  }

  /** A path safe to write: lexically inside, its directory created without following links out. */
  private async safeTarget(relativePath: string): Promise<string> {
    const target = this.resolve(relativePath);
    await ensureDirectoryInside(this.root, await this.realRoot(), path.dirname(target), true);
    return target;
  }

  private async readBytes(relativePath: string, maxBytes: number): Promise<Buffer | null> {
    const file = this.resolve(relativePath);
    try {
      await ensureDirectoryInside(this.root, await this.realRoot(), path.dirname(file), false);
      const info = await lstat(file);
      if (info.isSymbolicLink()) await assertFileInside(await this.realRoot(), file);
      else if (!info.isFile()) return null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const handle = await open(file, constants.O_RDONLY);
    try {
      if (!(await handle.stat()).isFile()) return null;
      const content = await handle.readFile();
      if (content.length > maxBytes) throw new Error(`${relativePath} is larger than ${maxBytes} bytes`);
      return content;
    } finally {
      await handle.close();
    }
  }

  /** Which activity execution last wrote each document, by path (see {@link writer}). */
  private async documentWriters(): Promise<Record<string, string>> {
    try {
      const parsed: unknown = JSON.parse((await this.readText(WRITERS_PATH)) ?? '{}');
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
    } catch {
      return {};
    }
  }

  /** Copy the current content of `relativePath` to its next history revision, unless unchanged or kept already. */
  private async keepRevision(relativePath: string, target: string, next: string): Promise<void> {
    let current: Buffer;
    try {
      if (!(await lstat(target)).isFile()) return;
      current = await readFile(target);
    } catch {
      return;
    }
    if (current.equals(Buffer.from(next))) return;
    const historyDir = await this.safeTarget(`${HISTORY_DIR}/.keep`).then((file) => path.dirname(file));
    const revisions = revisionsIn(await readdir(historyDir), relativePath);
    const latest = revisions.at(-1);
    if (latest !== undefined) {
      const kept = await readFile(path.join(this.root, revisionPath(relativePath, latest))).catch(() => null);
      if (kept?.equals(current)) return;
    }
    const revision = revisionPath(relativePath, (latest ?? 0) + 1);
    await atomicWrite(await this.safeTarget(revision), current, 0o644);
  }
}

async function atomicWrite(target: string, content: string | Buffer, mode: number): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    try {
      await handle.writeFile(content);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

function describe(name: ArtifactName, relativePath: string, content: string): ArtifactRef {
  return { name, path: relativePath, sha256: createHash('sha256').update(content).digest('hex'), bytes: Buffer.byteLength(content) };
}

function sanitizeEventId(eventId: string): string {
  const safe = eventId.replace(/[^A-Za-z0-9_-]/g, '');
  if (safe === '') throw new PathEscapeError(`unusable event id: ${JSON.stringify(eventId)}`);
  return safe.slice(0, 200);
}

async function pathExists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}
