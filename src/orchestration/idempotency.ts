import { createHash } from 'node:crypto';
import { SESSION_ID_PREFIX } from '../../workflows/definitions';
import { IdempotencyKeyReusedError, ValidationError } from './errors';
import type { SessionInfo } from '../sessions/session-info';

/** Longest idempotency key accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/** Throws a ValidationError unless `key` is 1–255 visible ASCII characters. */
export function checkIdempotencyKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !KEY_PATTERN.test(key)) {
    throw new ValidationError(`idempotency key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`);
  }
  return key;
}

/**
 * The session id a keyed start uses: a hash of the key, so that every process (any gateway replica, before or
 * after a restart) derives the same workflow id, and Temporal's one-execution-per-id rule is the lock. Same
 * shape as a random id (`sess_` and 22 base64url characters, 132 bits).
 */
export function sessionIdForKey(key: string): string {
  const digest = createHash('sha256').update(`session-start\0${checkIdempotencyKey(key)}`).digest('base64url');
  return `${SESSION_ID_PREFIX}${digest.slice(0, 22)}`;
}

/** Throws unless the session a key already started was started with the same mission and project. */
export function assertSameRequest(existing: SessionInfo, mission: string, project: string | null, key: string): void {
  if (existing.userMission !== mission || existing.projectName !== project) {
    throw new IdempotencyKeyReusedError(
      `idempotency key ${JSON.stringify(key)} was already used for session ${existing.sessionId} with a different mission or project`,
    );
  }
}
