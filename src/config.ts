import { z } from 'zod';

const port = z.int().min(1).max(65535);
/** What a push URL may look like (no whitespace, no leading dash that git would read as an option). */
const GIT_PUSH_URL_SHAPE = /^(?:\/[^\s]*|[a-z][a-z0-9+.-]*:\/\/[^\s]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+)$/;

/** The items of a comma-separated setting, trimmed, empty ones dropped. */
export function listOf(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Agent providers: how a phase thinks. */
export const PROVIDER_NAMES = ['template', 'openai', 'command'] as const;
const providerName = z.enum(PROVIDER_NAMES);

const configSchema = z
  .object({
    /** The embedded Temporal server's SQLite file. @default 'data/orchestrator.db' */
    dbPath: z.string().min(1),
    /** Rejections and QA retries one session may use before it fails. @default 5 */
    maxIterations: z.int().min(0).max(1000),
    /** How long a review waits for a decision before the session expires, in days. @default 7 */
    sessionTtlDays: z.number().positive().max(3650),
    /**
     * Tokens (prompt and completion, every phase) one session may spend before it pauses for a person to extend
     * its budget; fixed per session at its start. Unset means unlimited.
     */
    sessionTokenBudget: z.int().min(1).max(1_000_000_000_000).optional(),
    /** Price of a million prompt tokens (any currency), for the `cost` of a session; fixed per session at its start. */
    modelPricePerMtokIn: z.number().min(0).max(1_000_000).optional(),
    /** Price of a million completion tokens; set with `modelPricePerMtokIn`. */
    modelPricePerMtokOut: z.number().min(0).max(1_000_000).optional(),
    /** Comma-separated webhook receivers of every session (http or https URLs). @default '' */
    webhookUrls: z.string().refine((value) => listOf(value).every(isHttpUrl), 'must be comma-separated http(s) URLs'),
    /** Comma-separated hosts (`name` or `name:port`) a session's own `notify_url` may point at; empty: none. @default '' */
    webhookAllowedHosts: z.string().refine((value) => listOf(value).every((host) => /^[a-z0-9.-]+(:\d{1,5})?$/i.test(host)), 'must be comma-separated host or host:port'),
    /** The Standard Webhooks signing secret, `whsec_` and base64; unset sends webhooks unsigned. */
    webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, 'must be whsec_ followed by a base64 key').optional(),
    /** How long one webhook delivery is retried, in seconds. @default 86400 */
    webhookRetryWindowSeconds: z.int().min(10).max(30 * 86_400),
    /** Body of webhooks: the Standard Webhooks JSON envelope, or a Slack-compatible `{"text"}`. @default 'standard' */
    webhookFormat: z.enum(['standard', 'slack']),
    /** The gateway's public address, for links in webhooks (dashboard, artifacts); unset leaves them out. */
    publicBaseUrl: z.url().optional(),
    /** A `review.reminder` webhook every this many seconds while a review waits; unset: none. */
    reviewRemindAfterSeconds: z.int().min(1).max(30 * 86_400).optional(),
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
    /** How every agent phase thinks: `template` (offline), `openai` or `command`. @default 'template' */
    agentProvider: providerName,
    /** Per-phase provider overrides; unset means `agentProvider`. */
    pmProvider: providerName.optional(),
    architectProvider: providerName.optional(),
    engineerProvider: providerName.optional(),
    qaProvider: providerName.optional(),
    /** Base URL of an OpenAI-compatible endpoint; unset means OpenAI's own. */
    openaiBaseUrl: z.url().optional(),
    /** API key for the endpoint; local servers (Ollama, vLLM, llama.cpp) usually need none. */
    openaiApiKey: z.string().min(1).optional(),
    /** Model name; required when a phase uses the `openai` provider. */
    openaiModel: z.string().min(1).optional(),
    /** How the engineer and architect ask for JSON: a strict schema, plain JSON mode, or prompt only. @default 'json_schema' */
    openaiResponseFormat: z.enum(['json_schema', 'json_object', 'none']),
    /** Timeout of one chat-completions request, in seconds; below the timeout of every phase using `openai`. @default 300 */
    openaiTimeoutSeconds: z.int().min(1).max(86_400),
    /**
     * The most tokens one model reply may have, in every phase and every request (`max_tokens`); a reply cut off
     * there is asked for again, shorter, at most twice. Structured replies are sized to fit it. @default 4096
     */
    openaiMaxTokens: z.int().min(64).max(1_000_000),
    /** The external coding-agent command line of the `command` provider, with `{prd}`-style placeholders. */
    agentCommand: z.string().min(1).optional(),
    /** Comma-separated environment variables the agent command receives (its API keys, for instance). @default '' */
    agentCommandEnv: z.string(),
    /** Time limit of one agent command run, in seconds. @default 1200 */
    agentCommandTimeoutSeconds: z.int().min(1).max(86_400),
    /** Allow running code a model wrote (an `openai` or `command` scaffold and project). @default false */
    runModelCode: z.boolean(),
    /** Isolation of child processes: `auto` uses bubblewrap when it works, `bwrap` requires it, `none` skips it. @default 'auto' */
    sandbox: z.enum(['auto', 'bwrap', 'none']),
    /** The unprivileged user children run as when the worker is root. @default 'nobody' */
    sandboxUser: z.string().regex(/^[a-z_][a-z0-9_-]*\$?$/i, 'must be a user name'),
    /** Time limit of one scaffold or test run, in seconds. @default 300 */
    runTimeoutSeconds: z.int().min(1).max(86_400),
    /** Output kept from one child process (head and tail), in bytes. @default 65536 */
    runOutputLimitBytes: z.int().min(1024).max(16 * 1024 * 1024),
    /**
     * The operator's test command for every session, over the one each project's tech spec names; unset means the
     * project's own, or `npm test` for a spec that names none (sessions started before projects named theirs).
     */
    qaTestCommand: z.string().min(1).optional(),
    /** Per-phase activity timeouts (start to close), in seconds. @default 600, 600, 1800, 900 */
    pmTimeoutSeconds: z.int().min(1).max(86_400),
    architectTimeoutSeconds: z.int().min(1).max(86_400),
    engineerTimeoutSeconds: z.int().min(1).max(86_400),
    qaTimeoutSeconds: z.int().min(1).max(86_400),
    /**
     * How long a phase keeps retrying an environment fault (sandbox, work directory, disk, model endpoint, agent
     * command or test runner not found) while the session stays running, in seconds; fixed per session at its start. @default 86400
     */
    phaseRetryWindowSeconds: z.int().min(60).max(30 * 86_400),
    /** Model turns (one action each) the Engineer's loop may take before it stops with what it wrote. @default 30 */
    agentMaxTurns: z.int().min(1).max(1000),
    /** Turns the Engineer must take before `done` is offered to the model. @default 1 */
    agentMinTurns: z.int().min(0).max(1000),
    /** How the Engineer's model states its action: `json` (one JSON action per reply, `response_format`) or `tools` (native tool calls). @default 'json' */
    agentActionFormat: z.enum(['json', 'tools']),
    /** The Engineer's conversation sent per turn, in characters: the opening plus the latest turns that fit. @default 24000 */
    agentContextChars: z.int().min(4000).max(4_000_000),
    /** Days after its last change that a finished session's work directory is deleted; unset means `retentionDays`. */
    workDirRetentionDays: z.int().min(1).max(3650).optional(),
    /** API key of an external cluster (Temporal Cloud); sent as a bearer token, and turns TLS on unless `temporalTls` is false. */
    temporalApiKey: z.string().min(1).optional(),
    /** TLS to an external cluster; unset means on with an API key or a client certificate, off otherwise. */
    temporalTls: z.boolean().optional(),
    /** PEM client certificate for mTLS (with `temporalTlsClientKeyPath`). */
    temporalTlsClientCertPath: z.string().min(1).optional(),
    /** PEM private key of the client certificate. */
    temporalTlsClientKeyPath: z.string().min(1).optional(),
    /** PEM CA certificate the server's certificate is checked against; unset means the system's CAs. */
    temporalTlsServerCaCertPath: z.string().min(1).optional(),
    /** Server name (SNI) to check the server's certificate for, when it differs from the address's host. */
    temporalTlsServerName: z.string().min(1).optional(),
    /** A workflow bundle prebuilt with `npm run build:bundle`; the worker loads it instead of bundling at start-up. */
    workflowBundlePath: z.string().min(1).optional(),
    /**
     * Skip registering search attributes and setting retention at start-up, for clusters whose operator API the
     * process may not call (Temporal Cloud: create them with tcld or the Cloud UI). @default false
     */
    skipNamespaceSetup: z.boolean().optional(),
    /** A file the worker rewrites every few seconds while it runs, for container health checks. */
    workerHealthFile: z.string().min(1).optional(),
    /**
     * Session workflows a worker keeps in memory between tasks (0 turns the cache off); a session waiting in review
     * needs none, and one evicted is replayed from its history when it wakes. @default 250
     */
    workerMaxCachedWorkflows: z.int().min(0).max(100_000),
    /**
     * Where a completed session's git history is pushed: a URL (`https://`, `ssh://`, `file://`), `user@host:path` or
     * an absolute path, with `{session_id}` and `{project}` placeholders. Credentials only from the worker's
     * environment (this variable, or an SSH agent); never logged. Unset: nothing is pushed.
     */
    gitPushUrl: z
      .string()
      .min(1)
      .refine((url) => GIT_PUSH_URL_SHAPE.test(url), 'must be an absolute path, a scheme://… URL or user@host:path, not starting with "-"')
      .refine((url) => [...url.matchAll(/\{([^}]*)\}/g)].every((match) => match[1] === 'session_id' || match[1] === 'project'), 'placeholders are {session_id} and {project} only')
      .optional(),
  })
  .strict()
  .refine((config) => config.agentMinTurns < config.agentMaxTurns, {
    message: 'AGENT_MIN_TURNS must be below AGENT_MAX_TURNS, or the Engineer could never say it is done',
    path: ['agentMinTurns'],
  })
  .refine((config) => (config.modelPricePerMtokIn === undefined) === (config.modelPricePerMtokOut === undefined), {
    message: 'MODEL_PRICE_PER_MTOK_IN and MODEL_PRICE_PER_MTOK_OUT go together: set both or neither',
    path: ['modelPricePerMtokIn'],
  })
  .refine((config) => (config.temporalTlsClientCertPath === undefined) === (config.temporalTlsClientKeyPath === undefined), {
    message: 'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together: set both or neither',
    path: ['temporalTlsClientCertPath'],
  });

/** Configuration of the orchestrator and its processes. */
export type OrchestratorConfig = z.infer<typeof configSchema>;

/** The spec's defaults, plus those of the Temporal-specific settings. */
export const DEFAULT_CONFIG: Readonly<OrchestratorConfig> = Object.freeze({
  dbPath: 'data/orchestrator.db',
  maxIterations: 5,
  sessionTtlDays: 7,
  webhookUrls: '',
  webhookAllowedHosts: '',
  webhookRetryWindowSeconds: 86_400,
  webhookFormat: 'standard',
  workDirBase: 'projects',
  useSqliteCheckpointer: true,
  namespace: 'default',
  taskQueue: 'ai-dev-sessions',
  maxActiveSessions: 100,
  retentionDays: 30,
  port: 8080,
  temporalPort: 7233,
  temporalUiPort: 8233,
  agentProvider: 'template',
  openaiResponseFormat: 'json_schema',
  openaiTimeoutSeconds: 300,
  openaiMaxTokens: 4096,
  agentCommandEnv: '',
  agentCommandTimeoutSeconds: 1200,
  runModelCode: false,
  sandbox: 'auto',
  sandboxUser: 'nobody',
  runTimeoutSeconds: 300,
  runOutputLimitBytes: 65_536,
  pmTimeoutSeconds: 600,
  architectTimeoutSeconds: 600,
  engineerTimeoutSeconds: 1800,
  qaTimeoutSeconds: 900,
  phaseRetryWindowSeconds: 86_400,
  agentMaxTurns: 30,
  agentMinTurns: 1,
  agentActionFormat: 'json',
  agentContextChars: 24_000,
  workerMaxCachedWorkflows: 250,
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
  SESSION_TOKEN_BUDGET: ['sessionTokenBudget', 'int'],
  MODEL_PRICE_PER_MTOK_IN: ['modelPricePerMtokIn', 'number'],
  MODEL_PRICE_PER_MTOK_OUT: ['modelPricePerMtokOut', 'number'],
  WEBHOOK_URLS: ['webhookUrls', 'string'],
  WEBHOOK_ALLOWED_HOSTS: ['webhookAllowedHosts', 'string'],
  WEBHOOK_SECRET: ['webhookSecret', 'string'],
  WEBHOOK_RETRY_WINDOW_SECONDS: ['webhookRetryWindowSeconds', 'int'],
  WEBHOOK_FORMAT: ['webhookFormat', 'string'],
  PUBLIC_BASE_URL: ['publicBaseUrl', 'string'],
  REVIEW_REMIND_AFTER_SECONDS: ['reviewRemindAfterSeconds', 'int'],
  MAX_ACTIVE_SESSIONS: ['maxActiveSessions', 'int'],
  SESSION_RETENTION_DAYS: ['retentionDays', 'int'],
  PORT: ['port', 'int'],
  TEMPORAL_PORT: ['temporalPort', 'int'],
  TEMPORAL_UI_PORT: ['temporalUiPort', 'int'],
  AGENT_PROVIDER: ['agentProvider', 'string'],
  AGENT_PROVIDER_PM: ['pmProvider', 'string'],
  AGENT_PROVIDER_ARCHITECT: ['architectProvider', 'string'],
  AGENT_PROVIDER_ENGINEER: ['engineerProvider', 'string'],
  AGENT_PROVIDER_QA: ['qaProvider', 'string'],
  OPENAI_BASE_URL: ['openaiBaseUrl', 'string'],
  OPENAI_API_KEY: ['openaiApiKey', 'string'],
  OPENAI_MODEL: ['openaiModel', 'string'],
  OPENAI_RESPONSE_FORMAT: ['openaiResponseFormat', 'string'],
  OPENAI_TIMEOUT_SECONDS: ['openaiTimeoutSeconds', 'int'],
  OPENAI_MAX_TOKENS: ['openaiMaxTokens', 'int'],
  AGENT_COMMAND: ['agentCommand', 'string'],
  AGENT_COMMAND_ENV: ['agentCommandEnv', 'string'],
  AGENT_COMMAND_TIMEOUT_SECONDS: ['agentCommandTimeoutSeconds', 'int'],
  RUN_MODEL_CODE: ['runModelCode', 'boolean'],
  RUN_SANDBOX: ['sandbox', 'string'],
  RUN_AS_USER: ['sandboxUser', 'string'],
  RUN_TIMEOUT_SECONDS: ['runTimeoutSeconds', 'int'],
  RUN_OUTPUT_LIMIT_BYTES: ['runOutputLimitBytes', 'int'],
  QA_TEST_COMMAND: ['qaTestCommand', 'string'],
  PM_TIMEOUT_SECONDS: ['pmTimeoutSeconds', 'int'],
  ARCHITECT_TIMEOUT_SECONDS: ['architectTimeoutSeconds', 'int'],
  ENGINEER_TIMEOUT_SECONDS: ['engineerTimeoutSeconds', 'int'],
  QA_TIMEOUT_SECONDS: ['qaTimeoutSeconds', 'int'],
  PHASE_RETRY_WINDOW_SECONDS: ['phaseRetryWindowSeconds', 'int'],
  AGENT_MAX_TURNS: ['agentMaxTurns', 'int'],
  AGENT_MIN_TURNS: ['agentMinTurns', 'int'],
  AGENT_ACTION_FORMAT: ['agentActionFormat', 'string'],
  AGENT_CONTEXT_CHARS: ['agentContextChars', 'int'],
  WORK_DIR_RETENTION_DAYS: ['workDirRetentionDays', 'int'],
  TEMPORAL_API_KEY: ['temporalApiKey', 'string'],
  TEMPORAL_TLS: ['temporalTls', 'boolean'],
  TEMPORAL_TLS_CLIENT_CERT_PATH: ['temporalTlsClientCertPath', 'string'],
  TEMPORAL_TLS_CLIENT_KEY_PATH: ['temporalTlsClientKeyPath', 'string'],
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: ['temporalTlsServerCaCertPath', 'string'],
  TEMPORAL_TLS_SERVER_NAME: ['temporalTlsServerName', 'string'],
  WORKFLOW_BUNDLE_PATH: ['workflowBundlePath', 'string'],
  TEMPORAL_SKIP_NAMESPACE_SETUP: ['skipNamespaceSetup', 'boolean'],
  WORKER_HEALTH_FILE: ['workerHealthFile', 'string'],
  WORKER_MAX_CACHED_WORKFLOWS: ['workerMaxCachedWorkflows', 'int'],
  GIT_PUSH_URL: ['gitPushUrl', 'string'],
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

/** Per-phase activity timeouts in milliseconds, as the session workflow takes them in its input. */
export function phaseTimeoutsOf(config: OrchestratorConfig): Record<'pm' | 'architect' | 'engineer' | 'qa', number> {
  return {
    pm: config.pmTimeoutSeconds * 1000,
    architect: config.architectTimeoutSeconds * 1000,
    engineer: config.engineerTimeoutSeconds * 1000,
    qa: config.qaTimeoutSeconds * 1000,
  };
}
