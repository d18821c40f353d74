/**
 * The gateway's JSON bodies as clients (the CLI, the dashboard) read them: snake_case, see GET /openapi.json.
 * Derived from the response schemas, so they cannot drift from what the gateway sends; types only, so a client
 * that imports them loads neither zod nor the gateway.
 */
import type { z } from 'zod';
import type { ArtifactsSchema, ErrorSchema, HistorySchema, LastErrorSchema, SessionInfoSchema, SessionListSchema } from './response-schemas';

/** A session (the spec's SessionInfo). */
export type SessionJson = z.output<typeof SessionInfoSchema>;

/** Why the current phase is retrying. */
export type LastErrorJson = z.output<typeof LastErrorSchema>;

/** One page of sessions, newest first. */
export type SessionListJson = z.output<typeof SessionListSchema>;

/** Artifact paths; null until produced. */
export type ArtifactsJson = z.output<typeof ArtifactsSchema>;

/** The audit trail of a session. */
export type HistoryJson = z.output<typeof HistorySchema>;

/** One revision of an artifact. */
export type ArtifactRevisionJson = HistoryJson['artifact_revisions'][number];

/** Every error body of the gateway. */
export type ErrorJson = z.output<typeof ErrorSchema>;
