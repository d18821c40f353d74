import { NON_PROJECT_DIRS, type SessionWorkspace } from '../workspace';

/** Where the first attempt of an agent-command run keeps the work directory's hashes (the protected `logs/`). */
const BASELINE_PATH = 'logs/.agent-command-baseline.json';
const MAX_FILES = 2000;

interface StoredBaseline {
  writer: string;
  hashes: Record<string, string>;
}

/**
 * The work directory's file hashes before the agent command first ran in this activity execution (`writer`, the
 * same for all of its attempts): taken and stored by the first attempt, read back by its retries, so the files a
 * failed attempt edited still count as changed when a later attempt succeeds. Without a writer (outside an
 * activity) every call takes a fresh snapshot.
 */
export async function workDirBaseline(workspace: SessionWorkspace, writer: string | null): Promise<Map<string, string>> {
  if (writer !== null) {
    const stored = await readBaseline(workspace);
    if (stored?.writer === writer) return new Map(Object.entries(stored.hashes));
  }
  const hashes = await hashWorkDir(workspace);
  if (writer !== null) {
    const stored: StoredBaseline = { writer, hashes: Object.fromEntries(hashes) };
    await workspace.writeArtifact('code', BASELINE_PATH, JSON.stringify(stored));
  }
  return hashes;
}

/** The project files whose hash differs from `baseline` now (new files included), sorted by path. */
export async function changedSince(workspace: SessionWorkspace, baseline: ReadonlyMap<string, string>): Promise<string[]> {
  const now = await hashWorkDir(workspace);
  return [...now].filter(([file, hash]) => baseline.get(file) !== hash).map(([file]) => file);
}

async function hashWorkDir(workspace: SessionWorkspace): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const file of await workspace.listFiles(NON_PROJECT_DIRS, MAX_FILES)) {
    const ref = await workspace.describeFile('code', file).catch(() => null);
    if (ref) hashes.set(file, ref.sha256);
  }
  return hashes;
}

async function readBaseline(workspace: SessionWorkspace): Promise<StoredBaseline | null> {
  try {
    const parsed = JSON.parse((await workspace.readText(BASELINE_PATH, 4 * 1024 * 1024)) ?? 'null') as Partial<StoredBaseline> | null;
    if (!parsed || typeof parsed.writer !== 'string' || !parsed.hashes || typeof parsed.hashes !== 'object') return null;
    return { writer: parsed.writer, hashes: parsed.hashes };
  } catch {
    return null;
  }
}
