import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a stream token opens a stream. */
export const STREAM_TOKEN_TTL_MS = 5 * 60_000;

/** A token as issued. */
export interface IssuedStreamToken {
  token: string;
  expiresAt: Date;
}

/**
 * Short-lived, HMAC-signed tokens that open one session's event stream (EventSource cannot send an
 * Authorization header). The key is derived from API_TOKEN, so every replica with the same token accepts
 * them and nothing new needs configuring; the long-lived token itself never appears in a URL.
 */
export class StreamTokens {
  private readonly key: Buffer;

  constructor(
    apiToken: string,
    private readonly ttlMs = STREAM_TOKEN_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHmac('sha256', apiToken).update('dashboard-stream-token-v1').digest();
  }

  /** A token for `sessionId`'s stream, valid for the TTL. */
  issue(sessionId: string): IssuedStreamToken {
    const expiresAt = new Date(this.now() + this.ttlMs);
    const payload = Buffer.from(JSON.stringify({ sid: sessionId, exp: expiresAt.getTime() })).toString('base64url');
    return { token: `${payload}.${this.sign(payload)}`, expiresAt };
  }

  /** Whether `token` was issued by this key for `sessionId` and has not expired. */
  verify(token: string, sessionId: string): boolean {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return false;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sid?: unknown; exp?: unknown };
      return claims.sid === sessionId && typeof claims.exp === 'number' && claims.exp > this.now();
    } catch {
      return false;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
