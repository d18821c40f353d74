import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendError } from './http-errors';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Requires `Authorization: Bearer <token>`. Both sides are hashed to equal-length digests before a
 * constant-time comparison, so neither the token's content nor its length leaks through timing.
 */
export function bearerAuth(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (match?.[1] && timingSafeEqual(digest(match[1]), expected)) return next();
    res.locals.errorCode = 'unauthorized';
    res.set('WWW-Authenticate', 'Bearer realm="sessions"');
    sendError(res, 401, 'unauthorized', 'A valid bearer token is required: Authorization: Bearer <API_TOKEN>.');
  };
}
