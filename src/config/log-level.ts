import { z } from 'zod';
import { parseEnvSettings } from './env-settings';

/** The levels of the process logger (pino's), most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A level of the process logger. */
export type LogLevel = (typeof LOG_LEVELS)[number];

const schema = z.object({
  /** The least severe level the process logs, one JSON object a line on stdout. @default 'info' */
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

/** Reads and validates LOG_LEVEL; a bad value fails start-up with a message naming it. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  return parseEnvSettings(schema, env, 'logging').LOG_LEVEL;
}
