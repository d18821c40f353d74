import { NativeConnection, Worker } from '@temporalio/worker';
import {
  agentSetupSummary,
  assertPreflight,
  createActivities,
  PreflightError,
  retryLimitInterceptor,
  startWorkDirRetention,
  type WorkerActivities,
} from '../activities';
import { DEFAULT_CONFIG, resolveConfig, temporalAddressOf } from './config';
import { logger } from './logger';
import { temporalConnectionOptions } from './temporal/connection-options';
import { startHealthFile } from './temporal/health-file';
import { installRuntime } from './temporal/runtime';
import { setUpNamespace } from './temporal/namespace';
import { startTracingFromEnv, currentTracing } from './tracing/tracing';
import { WORKFLOW_INTERCEPTOR_MODULES, workerTracingOptions } from './tracing/worker-tracing';
import { Client, Connection } from '@temporalio/client';

/** What a session worker needs. */
export interface SessionWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** @default createActivities() */
  activities?: WorkerActivities;
  /** A prebuilt workflow bundle (a file, or its code); without one the worker bundles `workflows/` at start-up. */
  workflowBundle?: { codePath: string } | { code: string };
  /** Session workflows kept in memory between tasks. @default DEFAULT_CONFIG.workerMaxCachedWorkflows */
  maxCachedWorkflows?: number;
}

/**
 * Workflow tasks run at once: a bound on the V8 work in flight, below the cache (the SDK requires it to be at
 * most `maxCachedWorkflows` when the cache is on).
 */
const MAX_CONCURRENT_WORKFLOW_TASKS = 40;

/** A worker that runs session workflows and their agent activities. */
export function createSessionWorker(options: SessionWorkerOptions): Promise<Worker> {
  const maxCachedWorkflows = options.maxCachedWorkflows ?? DEFAULT_CONFIG.workerMaxCachedWorkflows;
  const tracing = workerTracingOptions();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities ?? createActivities(),
    // Cancellation reaches an activity only with a heartbeat response; keep that within a second.
    maxHeartbeatThrottleInterval: '1 second',
    // A prebuilt bundle has the workflow interceptor modules already (bundle-workflows.ts); the SDK warns if given twice.
    interceptors: {
      activity: [...tracing.activityInterceptors, retryLimitInterceptor],
      ...(options.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    sinks: tracing.sinks,
    // Memory stays bounded however many sessions wait: one V8 context shared by every workflow (not one each),
    // and a cache of at most `maxCachedWorkflows` (the SDK's default grows with the heap, to thousands).
    reuseV8Context: true,
    maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: maxCachedWorkflows === 0 ? MAX_CONCURRENT_WORKFLOW_TASKS : Math.max(2, Math.min(MAX_CONCURRENT_WORKFLOW_TASKS, maxCachedWorkflows)),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
  });
}

async function main(): Promise<void> {
  const config = resolveConfig();
  const tracing = startTracingFromEnv();
  await assertPreflight(config);
  installRuntime();
  const address = temporalAddressOf(config);
  const connectionOptions = temporalConnectionOptions(config);
  const setupConnection = await Connection.connect(connectionOptions);
  try {
    await setUpNamespace(setupConnection, config);
  } finally {
    await setupConnection.close();
  }
  const activities = createActivities({}, { config });
  const setup = await agentSetupSummary(config);
  logger[setup.notice ? 'warn' : 'info'](setup, 'agent providers and child-process sandbox');
  const connection = await NativeConnection.connect(connectionOptions);
  const workflowBundle = config.workflowBundlePath ? { codePath: config.workflowBundlePath } : undefined;
  const worker = await createSessionWorker({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    activities,
    workflowBundle,
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
  });
  const retentionConnection = await Connection.connect(connectionOptions);
  const stopRetention = startWorkDirRetention({
    client: new Client({ connection: retentionConnection, namespace: config.namespace }),
    workDirBase: config.workDirBase,
    retentionDays: config.workDirRetentionDays ?? config.retentionDays,
    onReport: (report) => report.removed.length > 0 && logger.info(report, 'work directories past retention removed'),
    onError: (err) => logger.warn({ err }, 'work directory retention sweep failed'),
  });
  logger.info({ address, namespace: config.namespace, taskQueue: config.taskQueue, prebuiltBundle: workflowBundle !== undefined, traces: tracing ? 'otlp' : 'off' }, 'worker started');
  const stopHealthFile = config.workerHealthFile ? startHealthFile(config.workerHealthFile, () => worker.getState() === 'RUNNING') : () => undefined;
  await worker.run();
  stopHealthFile();
  stopRetention();
  await retentionConnection.close();
  await connection.close();
  await currentTracing()?.shutdown();
  logger.info('worker stopped');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    if (err instanceof PreflightError) process.stderr.write(`${err.message}\n`);
    logger.fatal({ err }, 'worker failed');
    process.exit(1);
  });
}
