import { z } from 'zod';
import { parseEnvSettings } from './env-settings';

const positiveMs = z.coerce.number().int().min(100).max(600_000);

const schema = z.object({
  /** When set, every /sessions route needs `Authorization: Bearer <token>`. */
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Interface to listen on. @default 0.0.0.0 with API_TOKEN, else 127.0.0.1 (an open API stays on this machine) */
  GATEWAY_HOST: z.string().min(1).optional(),
  /** Bound on one read or start through Temporal. @default 5000 */
  GATEWAY_REQUEST_TIMEOUT_MS: positiveMs.default(5_000),
  /** How long a decision waits for a worker to confirm it before a 503. @default 10000 */
  GATEWAY_DECISION_TIMEOUT_MS: positiveMs.default(10_000),
  /** Largest JSON body accepted, in bytes (413 beyond). @default 131072 */
  GATEWAY_BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10 * 1024 * 1024).default(128 * 1024),
  /** How long a SIGTERM waits for in-flight requests before closing connections. @default 10000 */
  GATEWAY_SHUTDOWN_TIMEOUT_MS: positiveMs.default(10_000),
});

/** Settings of the gateway process (the rest of its configuration is OrchestratorConfig). */
export interface GatewaySettings {
  apiToken: string | undefined;
  host: string;
  requestTimeoutMs: number;
  decisionTimeoutMs: number;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
}

/** Reads and validates the gateway's environment; a bad value fails start-up with a message naming it. */
export function gatewaySettingsFromEnv(env: NodeJS.ProcessEnv): GatewaySettings {
  const s = parseEnvSettings(schema, env, 'gateway');
  return {
    apiToken: s.API_TOKEN,
    host: s.GATEWAY_HOST ?? (s.API_TOKEN ? '0.0.0.0' : '127.0.0.1'),
    requestTimeoutMs: s.GATEWAY_REQUEST_TIMEOUT_MS,
    decisionTimeoutMs: s.GATEWAY_DECISION_TIMEOUT_MS,
    bodyLimitBytes: s.GATEWAY_BODY_LIMIT_BYTES,
    shutdownTimeoutMs: s.GATEWAY_SHUTDOWN_TIMEOUT_MS,
  };
}

/** The gateway's settings when none is set (loopback, no token). */
export const DEFAULT_GATEWAY_SETTINGS: Readonly<GatewaySettings> = Object.freeze(gatewaySettingsFromEnv({}));
