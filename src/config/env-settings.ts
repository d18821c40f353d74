import type { z } from 'zod';
import { ConfigError } from '../config';

/**
 * The variables of `schema` that are set (blank counts as unset), validated: a bad value throws a ConfigError
 * naming each bad variable. `what` names the group of settings in the message ("gateway", "tracing").
 */
export function parseEnvSettings<Schema extends z.ZodObject>(schema: Schema, env: NodeJS.ProcessEnv, what: string): z.output<Schema> {
  const present = Object.fromEntries(Object.entries(env).filter(([key, value]) => key in schema.shape && value !== undefined && value.trim() !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(`Invalid ${what} configuration: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}
