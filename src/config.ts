import { z } from 'zod';

const port = z.int().min(1).max(65535);

const configSchema = z
  .object({
    /** The embedded Temporal server's SQLite file. @default 'data/orchestrator.db' */
    dbPath: z.string().min(1),
    /** Rejections and QA retries one session may use before it fails. @default 5 */
    maxIterations: z.int().min(0).max(1000),
    /** How long a review waits for a decision before the session expires, in days. @default 7 */
    sessionTtlDays: z.number().positive().max(3650),
    /** Where session work directories live. @default 'projects' */
    workDirBase: z.string().min(1),
    /** Persist the embedded server in `dbPath`; false keeps it in memory. @default true */
    useSqliteCheckpointer: z.boolean(),
    /** An external Temporal frontend (`host:port`); unset means the embedded dev server. */
    temporalAddress: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port').optional(),
    /** @default 'default' */
    namespace: z.string().min(1),
    /** @default 'ai-dev-sessions' */
    taskQueue: z.string().min(1),
    /** Active (pending, running, awaiting approval) sessions allowed at once; a soft cap. @default 100 */
    maxActiveSessions: z.int().min(1),
    /** How long finished sessions stay listable, in days. @default 30 */
    retentionDays: z.int().min(1).max(3650),
    /** The gateway's HTTP port. @default 8080 */
    port,
    /** The embedded Temporal server's gRPC port. @default 7233 */
    temporalPort: port,
    /** The embedded Temporal Web UI's port. @default 8233 */
    temporalUiPort: port,
  })
  .strict();

/** Configuration of the orchestrator and its processes. */
export type OrchestratorConfig = z.infer<typeof configSchema>;

/** The spec's defaults, plus those of the Temporal-specific settings. */
export const DEFAULT_CONFIG: Readonly<OrchestratorConfig> = Object.freeze({
  dbPath: 'data/orchestrator.db',
  maxIterations: 5,
  sessionTtlDays: 7,
  workDirBase: 'projects',
  useSqliteCheckpointer: true,
  namespace: 'default',
  taskQueue: 'ai-dev-sessions',
  maxActiveSessions: 100,
  retentionDays: 30,
  port: 8080,
  temporalPort: 7233,
  temporalUiPort: 8233,
});

type ValueKind = 'string' | 'int' | 'number' | 'boolean';

/** Environment variables that override the defaults, and the kind of value each holds. */
export const ENV_OVERRIDES: Readonly<Record<string, [keyof OrchestratorConfig, ValueKind]>> = {
  TEMPORAL_ADDRESS: ['temporalAddress', 'string'],
  TEMPORAL_NAMESPACE: ['namespace', 'string'],
  TEMPORAL_TASK_QUEUE: ['taskQueue', 'string'],
  ORCHESTRATOR_DB_PATH: ['dbPath', 'string'],
  USE_SQLITE_CHECKPOINTER: ['useSqliteCheckpointer', 'boolean'],
  WORK_DIR_BASE: ['workDirBase', 'string'],
  MAX_ITERATIONS: ['maxIterations', 'int'],
  SESSION_TTL_DAYS: ['sessionTtlDays', 'number'],
  MAX_ACTIVE_SESSIONS: ['maxActiveSessions', 'int'],
  SESSION_RETENTION_DAYS: ['retentionDays', 'int'],
  PORT: ['port', 'int'],
  TEMPORAL_PORT: ['temporalPort', 'int'],
  TEMPORAL_UI_PORT: ['temporalUiPort', 'int'],
};

/** A configuration value that is missing or wrong; the message names every bad setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The effective configuration: defaults, then environment overrides, then `overrides`; validated, so a
 * bad value fails here with a message naming the variable instead of later in a confusing way.
 */
export function resolveConfig(
  overrides: Partial<OrchestratorConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): OrchestratorConfig {
  const fromEnv: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const [variable, [key, kind]] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    fromEnv[key] = parseEnvValue(raw.trim(), kind);
    sources.set(key, variable);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const result = configSchema.safeParse({ ...DEFAULT_CONFIG, ...fromEnv, ...defined });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.');
    const origin = sources.has(key) && !(key in defined) ? `${sources.get(key)} (${key})` : key;
    return `${origin}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

function parseEnvValue(raw: string, kind: ValueKind): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      return raw;
    case 'int':
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
}

/** The address clients use: the external cluster's, or the embedded server's on this machine. */
export function temporalAddressOf(config: OrchestratorConfig): string {
  return config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`;
}
