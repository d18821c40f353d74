import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { agentSetupSummary, assertPreflight, createActivities, PreflightError, retryLimitInterceptor, type WorkerActivities } from '../activities';
import { startHealthFile } from './background/health-file';
import { startWorkDirRetention } from './background/work-dir-retention';
import { DEFAULT_CONFIG, type OrchestratorConfig } from './config';
import { loadConfig } from './config/load-config';
import { logger, setLogLevel } from './logger';
import { type TemporalConnectionOptions, temporalConnectionOptions } from './temporal/connection-options';
import { installRuntime } from './temporal/runtime';
import { setUpNamespace } from './temporal/namespace';
import { currentTracing, startConfiguredTracing } from './tracing/tracing';
import { WORKFLOW_INTERCEPTOR_MODULES, workerTracingOptions } from './tracing/worker-tracing';

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

/** Options of {@link startSessionWorker}; the Temporal SDK runtime must be installed first (installRuntime). */
export interface WorkerStartOptions {
  /** How the worker connects. @default temporalConnectionOptions(config) */
  connection?: TemporalConnectionOptions;
  /**
   * A client of the caller's, on a namespace it has set up already: the work-directory retention asks it which
   * sessions still run. Without one the start-up connects a client of its own, sets the namespace up through it
   * (search attributes, retention) and closes it when the worker stops.
   */
  client?: Client;
  /** The workflow code when WORKFLOW_BUNDLE_PATH names no prebuilt bundle. @default the SDK bundles `workflows/` */
  bundleWorkflows?: () => Promise<string>;
  /** @default createActivities({}, { config }) */
  activities?: WorkerActivities;
}

/** A session worker started by {@link startSessionWorker}. */
export interface RunningSessionWorker {
  readonly worker: Worker;
  /**
   * Settles once the worker has stopped (after `stop()`, a shutdown signal the runtime handles, or a failure, when
   * it rejects) and its background jobs and the connections the start-up opened are closed.
   */
  readonly finished: Promise<void>;
  /** Shut the worker down and wait for {@link finished} (never rejects). */
  stop(): Promise<void>;
}

/**
 * The one way a process starts its session worker (`npm start` and the worker entry): activities from `config`,
 * the worker on its own native connection, and its background jobs: the work-directory retention sweep and, with
 * WORKER_HEALTH_FILE, the health file.
 */
export async function startSessionWorker(config: OrchestratorConfig, options: WorkerStartOptions = {}): Promise<RunningSessionWorker> {
  const activities = options.activities ?? createActivities({}, { config });
  const connectionOptions = options.connection ?? temporalConnectionOptions(config);
  const closeOnStop: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closeOnStop.reverse()) await close();
  };
  try {
    let client = options.client;
    if (!client) {
      const connection = await Connection.connect(connectionOptions);
      closeOnStop.push(() => connection.close());
      await setUpNamespace(connection, config);
      client = new Client({ connection, namespace: config.namespace });
    }
    const setup = await agentSetupSummary(config);
    logger[setup.notice ? 'warn' : 'info'](setup, 'agent providers and child-process sandbox');
    const connection = await NativeConnection.connect(connectionOptions);
    closeOnStop.push(() => connection.close());
    const workflowBundle = config.workflowBundlePath
      ? { codePath: config.workflowBundlePath }
      : options.bundleWorkflows && { code: await options.bundleWorkflows() };
    const worker = await createSessionWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      activities,
      workflowBundle,
      maxCachedWorkflows: config.workerMaxCachedWorkflows,
    });
    const running = worker.run();
    const stopRetention = startWorkDirRetention({
      client,
      workDirBase: config.workDirBase,
      retentionDays: config.workDirRetentionDays ?? config.retentionDays,
      onReport: (report) => report.removed.length > 0 && logger.info(report, 'work directories past retention removed'),
      onError: (err) => logger.warn({ err }, 'work directory retention sweep failed'),
    });
    const stopHealthFile = config.workerHealthFile ? startHealthFile(config.workerHealthFile, () => worker.getState() === 'RUNNING') : () => undefined;
    logger.info(
      {
        address: connectionOptions.address,
        namespace: config.namespace,
        taskQueue: config.taskQueue,
        prebuiltBundle: config.workflowBundlePath !== undefined,
        traces: currentTracing() ? 'otlp' : 'off',
      },
      'worker started',
    );
    const finished = running.finally(async () => {
      stopHealthFile();
      stopRetention();
      await closeAll();
    });
    finished.catch(() => undefined); // the caller awaits it; a failure is theirs to report
    return {
      worker,
      finished,
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await finished.catch(() => undefined);
      },
    };
  } catch (err) {
    await closeAll().catch(() => undefined);
    throw err;
  }
}

/** `npm run worker` (the compose stack's worker): runs sessions until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  startConfiguredTracing(config.tracing);
  await assertPreflight(config.orchestrator);
  installRuntime();
  const { finished } = await startSessionWorker(config.orchestrator);
  await finished;
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
