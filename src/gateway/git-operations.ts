/**
 * The operations over a session's git history: its commits, the diff between two refs, and a bundle of the whole
 * history. Their schemas join the same registry, so the OpenAPI document describes them too.
 */
import { z } from 'zod';
import { AGENT_PHASES } from '../../workflows/definitions';
import { GIT_REF_PATTERN } from '../sessions/session-git';
import type { Operation, ResponseSpec } from './operations';
import { ErrorSchema, schemaRegistry } from './schemas';

const error = (description: string): ResponseSpec => ({ description, schema: ErrorSchema });
const NoQuery = z.object({}).strict();

const ref = (what: string) =>
  z
    .string()
    .regex(GIT_REF_PATTERN, 'must be a branch, tag or commit id (letters, digits, . _ / - ~ ^; not starting with - or .)')
    .optional()
    .describe(what);

/** Query of `GET /sessions/{id}/diff`. */
export const DiffQuery = z
  .object({
    from: ref('the ref diffed from; default: the parent of `to` (the empty tree for the first commit)'),
    to: ref('the ref diffed to; default: main, the newest commit'),
  })
  .strict();

export const CommitsSchema = z
  .object({
    commits: z.array(
      z
        .object({
          sha: z.string(),
          author: z.string().describe('pm, architect, engineer or qa'),
          at: z.string().describe('author date, ISO 8601'),
          subject: z.string(),
          phase: z.enum(AGENT_PHASES).nullable(),
          iteration: z.int().min(0).nullable(),
          review_round: z.int().min(0).nullable().describe('pm and architect: the review their documents went to; engineer and qa: the approved one'),
          tags: z.array(z.string()).describe('decision tags on this commit: review-<round>-approved, review-<round>-rejected'),
        })
        .strict(),
    ),
  })
  .strict();
schemaRegistry.add(CommitsSchema, { id: 'SessionCommits', description: 'The session’s commits, one per phase run, oldest first.' });

const noHistoryYet = error('The session exists but has no history yet: no phase has finished since histories are kept (no_history_yet).');

/** The git-history operations, merged into the gateway's table. */
export const GIT_OPERATIONS = {
  getCommits: {
    operationId: 'getCommits',
    method: 'get',
    path: '/sessions/:id/commits',
    summary: 'The session’s git history: one commit per phase run, with its phase, iteration, review round and decision tags',
    tag: 'sessions',
    query: NoQuery,
    authenticated: true,
    responses: { 200: { description: 'The commits, oldest first (none yet: an empty list).', schema: CommitsSchema }, 404: error('No session with that id (session_not_found).') },
  },
  getDiff: {
    operationId: 'getDiff',
    method: 'get',
    path: '/sessions/:id/diff',
    summary: 'A unified diff of the session’s work between two refs (commit ids, tags such as review-1-approved, main~2); `to` alone: what that commit changed',
    tag: 'sessions',
    query: DiffQuery,
    authenticated: true,
    responses: {
      200: { description: 'The diff (empty when nothing changed).', contentTypes: ['text/plain; charset=utf-8'] },
      400: error('A ref that is not a ref, or an unknown parameter (validation_error).'),
      404: error('Unknown session (session_not_found), or a ref the history does not have (ref_not_found).'),
      409: noHistoryYet,
    },
  },
  getBundle: {
    operationId: 'getBundle',
    method: 'get',
    path: '/sessions/:id/bundle',
    summary: 'The session’s whole git history (branch main and its tags) as a git bundle: `git clone session.bundle`',
    tag: 'sessions',
    query: NoQuery,
    authenticated: true,
    responses: {
      200: { description: 'The bundle.', contentTypes: ['application/octet-stream'] },
      404: error('No session with that id (session_not_found).'),
      409: noHistoryYet,
    },
  },
} as const satisfies Record<string, Operation>;
