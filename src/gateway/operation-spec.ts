/**
 * What one operation of the HTTP API declares (its route, the schemas its input is validated with, the responses
 * it documents) and the responses every operation shares. Routes and the OpenAPI document are built from these.
 */
import type { z } from 'zod';
import { ErrorSchema } from './schemas';

/** One documented response. */
export interface ResponseSpec {
  description: string;
  /** JSON body schema; absent for non-JSON bodies. */
  schema?: z.ZodType;
  /** Content types of a non-JSON body. */
  contentTypes?: string[];
  /** For `text/event-stream`: each event's name and the schema of its JSON `data`. */
  events?: Record<string, z.ZodType>;
}

/** One operation of the HTTP API. */
export interface Operation {
  operationId: string;
  method: 'get' | 'post';
  /** Express path; `:name` segments are path parameters. */
  path: string;
  summary: string;
  tag: 'sessions' | 'operations';
  query: z.ZodObject;
  /** JSON body; absent for operations without one. */
  body?: z.ZodObject;
  /** The body may be omitted (an empty object then). */
  bodyOptional?: boolean;
  /** Takes an optional `Idempotency-Key` header. */
  idempotencyKey?: string;
  /** Other optional request headers it reads (the handler validates them). */
  headers?: Record<string, { description: string; schema: z.ZodType }>;
  /** Needs the bearer token when the gateway has one. */
  authenticated: boolean;
  responses: Record<number, ResponseSpec>;
}

/** An error response: the one error body, with what it means for this operation. */
export const errorResponse = (description: string): ResponseSpec => ({ description, schema: ErrorSchema });

/** The 404 of an operation on one session. */
export const SESSION_NOT_FOUND = errorResponse('No session with that id (session_not_found).');

/** Responses every authenticated operation may give besides its own. */
export const COMMON_RESPONSES: Record<number, ResponseSpec> = {
  400: errorResponse('A path that is not valid percent-encoded UTF-8 (bad_request).'),
  401: errorResponse('Missing or wrong bearer token, when the gateway has API_TOKEN (unauthorized).'),
  500: errorResponse('An unexpected error; details are in the gateway log, never in the response (internal_error).'),
  503: errorResponse('Temporal is unavailable (temporal_unavailable); retry later.'),
};

/** Responses every operation with a JSON body may give besides its own. */
export const BODY_RESPONSES: Record<number, ResponseSpec> = {
  400: errorResponse('Malformed JSON, unknown field or invalid value (malformed_json, validation_error).'),
  413: errorResponse('Body larger than the limit (payload_too_large).'),
  415: errorResponse('Body is not application/json (unsupported_media_type).'),
};
