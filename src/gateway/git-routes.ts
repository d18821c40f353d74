import { createReadStream } from 'node:fs';
import type { Express, RequestHandler } from 'express';
import type { Orchestrator } from '../orchestration/orchestrator';
import { GIT_OPERATIONS } from './git-operations';
import type { Operation } from './operation-spec';
import { markRoute } from './request-log';
import { handle } from './validation';

/** What the git-history routes need. */
export interface GitRouteOptions {
  requestTimeoutMs: number;
  auth: RequestHandler | null;
}

/** Registers `GET /sessions/{id}/commits`, `/diff` and `/bundle`: each validates, then asks the Orchestrator's `git`. */
export function registerGitRoutes(router: Express, o: Orchestrator, options: GitRouteOptions): void {
  const within = <T>(fn: () => Promise<T>, ms = options.requestTimeoutMs): Promise<T> => o.withDeadline(ms, fn);
  const route = (op: Operation, handler: RequestHandler): void => {
    router[op.method](op.path, markRoute, ...(options.auth ? [options.auth] : []), handler);
  };

  route(
    GIT_OPERATIONS.getCommits,
    handle(GIT_OPERATIONS.getCommits, async ({ params }, res) => {
      const commits = await within(() => o.git.commits(params.id ?? ''));
      res.json({
        commits: commits.map((c) => ({
          sha: c.sha,
          author: c.author,
          at: c.at,
          subject: c.subject,
          phase: c.phase,
          iteration: c.iteration,
          review_round: c.reviewRound,
          tags: c.tags,
        })),
      });
    }),
  );

  route(
    GIT_OPERATIONS.getDiff,
    handle(GIT_OPERATIONS.getDiff, async ({ params, query }, res) => {
      const diff = await within(() => o.git.diff(params.id ?? '', query.from, query.to));
      res.type('text/plain; charset=utf-8').send(diff);
    }),
  );

  route(
    GIT_OPERATIONS.getBundle,
    handle(GIT_OPERATIONS.getBundle, async ({ params }, res) => {
      const id = params.id ?? '';
      const bundle = await within(() => o.git.bundle(id), options.requestTimeoutMs * 6);
      res.on('close', () => void bundle.dispose());
      res
        .type('application/octet-stream')
        .set('Content-Length', String(bundle.bytes))
        .set('Content-Disposition', `attachment; filename="${id}.bundle"`);
      await new Promise<void>((resolve, reject) => {
        const stream = createReadStream(bundle.file);
        stream.once('error', reject);
        stream.once('end', resolve);
        stream.pipe(res);
      });
    }),
  );
}
