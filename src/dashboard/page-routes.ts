import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Express, Response } from 'express';

/** Where `npm run build` puts the dashboard's static files. */
const DASHBOARD_DIR = path.join(__dirname, '..', '..', 'dashboard');

/**
 * The page's policy: scripts, styles, images and connections from this origin only (no inline script or
 * style, no eval), nothing framed, forms post here. It replaces the API's `default-src 'none'` for the
 * dashboard's own files only.
 */
const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/app.js.map': { file: 'app.js.map', type: 'application/json; charset=utf-8' },
  '/dashboard/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** What the page needs to know; none of it is secret. */
export interface DashboardPageOptions {
  temporalUiUrl: string;
  namespace: string;
  authRequired: boolean;
}

/** Serves the dashboard at `/` (its files, read once) and its settings at `/dashboard/config.json`. */
export function registerDashboardPageRoutes(router: Express, options: DashboardPageOptions, dir = DASHBOARD_DIR): void {
  const cache = new Map<string, Promise<Buffer>>();
  const send = (res: Response, body: Buffer | string, type: string): void => {
    res.set('Content-Security-Policy', DASHBOARD_CSP).type(type).send(body);
  };
  for (const [route, { file, type }] of Object.entries(FILES)) {
    router.get(route, async (_req, res) => {
      res.locals.route = route;
      let content = cache.get(file);
      if (!content) {
        content = readFile(path.join(dir, file));
        cache.set(file, content);
      }
      try {
        send(res, await content, type);
      } catch {
        cache.delete(file);
        res.status(503).type('text/plain').send('The dashboard is not built: run `npm run build`.');
      }
    });
  }
  const config = { auth_required: options.authRequired, temporal_ui_url: options.temporalUiUrl, namespace: options.namespace };
  router.get('/dashboard/config.json', (_req, res) => {
    res.locals.route = '/dashboard/config.json';
    res.json(config);
  });
}
