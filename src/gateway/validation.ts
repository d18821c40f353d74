import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { describeIssues, HttpError } from './http-errors';
import type { Operation } from './operation-spec';
import { IdempotencyKeyHeader } from './schemas';

/** What a handler of `Op` receives: its input, validated and typed. */
export interface Input<Op extends Operation> {
  query: z.output<Op['query']>;
  body: Op['body'] extends z.ZodObject ? z.output<Op['body']> : undefined;
  /** The `Idempotency-Key` header, for operations that take one. */
  idempotencyKey: string | undefined;
  /** Path parameters, as strings (ids are checked by the Orchestrator, which answers 404 for a bad one). */
  params: Record<string, string>;
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, 'validation_error', describeIssues(result.error, where));
  return result.data;
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * The route handler of `op`: validates query, body and `Idempotency-Key` against the operation's schemas
 * (unknown fields refused), then calls `fn`. Express 5 passes a rejected promise to the error middleware.
 */
export function handle<Op extends Operation>(op: Op, fn: (input: Input<Op>, res: Response, req: Request) => Promise<void>): RequestHandler {
  return async (req, res) => {
    const query = parse(op.query, req.query, 'query');
    let body: unknown;
    if (op.body) {
      const raw: unknown = req.body === undefined && op.bodyOptional && !hasBody(req) ? {} : req.body;
      if (raw === undefined && hasBody(req) && !req.is('application/json')) {
        throw new HttpError(415, 'unsupported_media_type', 'The request body must be application/json.');
      }
      body = parse(op.body, raw ?? undefined, 'body');
    }
    const idempotencyKey = op.idempotencyKey ? parse(IdempotencyKeyHeader, req.get('idempotency-key'), 'header Idempotency-Key') : undefined;
    const input = { query, body, idempotencyKey, params: req.params as Record<string, string> } as Input<Op>;
    await fn(input, res, req);
  };
}
