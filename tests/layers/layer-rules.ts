/**
 * The layers of the code, from the ground up, as data: tests/layers/layers.test.ts checks that no import of
 * src/, activities/ or workflows/ goes up a layer or round a cycle, and who may use the Temporal client.
 * A file belongs to the most specific row whose path is it or a folder above it; a file no row covers fails the
 * check, so a new folder is placed here on purpose.
 */

/** The layers, lowest first: a file may import its own layer and the ones before it. */
export const LAYERS = ['shared', 'workflows', 'activities', 'plumbing', 'orchestration', 'interfaces', 'entry points'] as const;

export type Layer = (typeof LAYERS)[number];

/** Where each part of the tree sits, and why there. */
export const LAYER_OF: readonly { path: string; layer: Layer; why: string }[] = [
  { path: 'workflows/vocabulary.ts', layer: 'shared', why: 'the product’s words, written once; it imports nothing' },
  { path: 'workflows/definitions.ts', layer: 'shared', why: 'the Temporal message definitions and shared types: everything imports them' },
  { path: 'workflows/webhook-definitions.ts', layer: 'shared', why: 'the webhook events and the notifier’s messages, beside definitions.ts' },
  { path: 'src/config.ts', layer: 'shared', why: 'the settings every process and activity reads' },
  { path: 'src/config', layer: 'shared', why: 'each entry point’s loadConfig(env) and the settings of the gateway, dashboard, tracing and log level' },
  { path: 'src/logger.ts', layer: 'shared', why: 'the one process logger' },
  { path: 'src/redaction.ts', layer: 'shared', why: 'secrets out of messages, for activities and the read model alike' },

  { path: 'workflows', layer: 'workflows', why: 'the sandbox: deterministic code only' },

  { path: 'activities', layer: 'activities', why: 'every side effect of a session' },
  { path: 'src/runners', layer: 'activities', why: 'install-pytest.sh, what QA’s sandboxed runs need (no TypeScript)' },

  { path: 'src/temporal', layer: 'plumbing', why: 'finding, starting and connecting to Temporal; the namespace set-up; the workflow bundle' },
  { path: 'src/tracing', layer: 'plumbing', why: 'OpenTelemetry for the client, the worker and HTTP' },
  { path: 'src/model', layer: 'plumbing', why: 'the bundled model server, started beside the orchestrator like the dev server' },

  { path: 'src/orchestration', layer: 'orchestration', why: 'the Orchestrator: the spec’s API over the Temporal client' },
  { path: 'src/sessions', layer: 'orchestration', why: 'the read model the Orchestrator answers from (queries, history, listings)' },
  { path: 'src/background', layer: 'orchestration', why: 'a worker’s background jobs: the work-directory retention (it asks Temporal), the health file' },

  { path: 'src/gateway', layer: 'interfaces', why: 'the HTTP API over the Orchestrator' },
  { path: 'src/dashboard', layer: 'interfaces', why: 'the web page the gateway serves, and its browser code' },
  { path: 'src/cli', layer: 'interfaces', why: 'the command line over the gateway' },

  { path: 'src/main.ts', layer: 'entry points', why: 'npm start: the dev server, a worker and the gateway in one process' },
  { path: 'src/worker.ts', layer: 'entry points', why: 'a worker process' },
  { path: 'src/cli.ts', layer: 'entry points', why: 'the orchestrator command' },
  { path: 'src/gateway/server.ts', layer: 'entry points', why: 'a gateway process' },
  { path: 'src/temporal/setup-namespace.ts', layer: 'entry points', why: 'npm run setup-namespace, the compose stack’s one-shot step' },
  { path: 'src/model/local.ts', layer: 'entry points', why: 'npm run model:local' },
];

/** The Temporal client: the package, and the only places that may import a value from it (type imports cost nothing). */
export const TEMPORAL_CLIENT = {
  package: '@temporalio/client',
  users: [
    { path: 'src/orchestration', why: 'the Orchestrator is the client’s user' },
    { path: 'src/sessions', why: 'the read model’s reads are client calls: handles, queries, visibility' },
    { path: 'src/temporal', why: 'connecting: the dev server’s readiness probe, the namespace set-up' },
    { path: 'src/main.ts', why: 'opens the one connection it hands to the namespace set-up, the Orchestrator and the worker’s jobs' },
    { path: 'src/worker.ts', why: 'opens the connection of the namespace set-up and the work-directory retention when no client is handed in' },
    { path: 'src/background/work-dir-retention.ts', why: 'the retention sweep asks Temporal whether a session still runs' },
  ],
} as const;
