import type { Express } from 'express';
import { sendError } from './http-errors';
import type { Operation } from './operation-spec';

/**
 * For every documented path, a method it does not serve gets 405 with `Allow` (RFC 9110), and OPTIONS gets 204
 * with the same `Allow`, instead of falling through to 404. Registered after the real routes.
 */
export function registerMethodNotAllowed(router: Express, operations: readonly Operation[]): void {
  const methods = new Map<string, Set<string>>();
  for (const op of operations) {
    const allowed = methods.get(op.path) ?? new Set<string>();
    allowed.add(op.method.toUpperCase());
    if (op.method === 'get') allowed.add('HEAD');
    methods.set(op.path, allowed);
  }
  for (const [path, allowed] of methods) {
    const allow = [...[...allowed].sort(), 'OPTIONS'].join(', ');
    router.all(path, (req, res) => {
      res.set('Allow', allow);
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      res.locals.errorCode = 'method_not_allowed';
      sendError(res, 405, 'method_not_allowed', `${req.method} is not served on ${req.path}; allowed: ${allow}`);
    });
  }
}
