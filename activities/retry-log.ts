import type { SessionWorkspace } from './workspace';

/** Where the last logged failure of each activity is kept, inside the protected `logs/`. */
const RETRY_STATE_PATH = 'logs/.retries.json';
/** A failure whose message has not changed is logged again after this long. */
const REPEAT_AFTER_MS = 60 * 60 * 1000;

interface LoggedFailure {
  message: string;
  atMs: number;
}

/**
 * Whether a failed attempt of activity `key` deserves a log line: its first failure, a message that differs
 * from the last one logged, or the same message an hour after it was last logged. Records the answer.
 */
export async function shouldLogRetry(workspace: SessionWorkspace, key: string, message: string, nowMs: number): Promise<boolean> {
  const state = await readState(workspace);
  const last = state[key];
  if (last && last.message === message && nowMs - last.atMs < REPEAT_AFTER_MS) return false;
  state[key] = { message, atMs: nowMs };
  await workspace.writeArtifact('code', RETRY_STATE_PATH, JSON.stringify(state));
  return true;
}

async function readState(workspace: SessionWorkspace): Promise<Record<string, LoggedFailure>> {
  try {
    const parsed: unknown = JSON.parse((await workspace.readText(RETRY_STATE_PATH)) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, LoggedFailure>) : {};
  } catch {
    return {};
  }
}
