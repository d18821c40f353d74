import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { agentSetupSummary, assertPreflight, createActivities, PreflightError, startWorkDirRetention } from '../activities';
import { resolveConfig } from './config';
import { gatewaySettingsFromEnv } from './gateway/gateway-config';
import { startGateway } from './gateway/server';
import { logger } from './logger';
import { Orchestrator } from './orchestration/orchestrator';
import { startSupervisedDevServer } from './temporal/dev-server-supervisor';
import { RECONNECT_CHANNEL_ARGS, temporalConnectionOptions } from './temporal/connection-options';
import { installRuntime } from './temporal/runtime';
import { setUpNamespace } from './temporal/setup-namespace';
import { currentTracing, startTracingFromEnv } from './tracing/tracing';
import { createSessionWorker } from './worker';

type Cleanup = () => Promise<void>;

/**
 * The whole system in one process: the embedded Temporal dev server (unless TEMPORAL_ADDRESS names a cluster),
 * the namespace set-up, a worker and the HTTP gateway. SIGINT/SIGTERM, or a failure at any step, stop what has
 * started in reverse order.
 */
async function main(): Promise<void> {
  const config = resolveConfig();
  installRuntime({ shutdownSignals: [] });
  const cleanups: Cleanup[] = [];
  let stopping: Promise<void> | null = null;
  const stop = (reason: string): Promise<void> =>
    (stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch((err: unknown) => logger.error({ err }, 'error while shutting down'));
      }
      logger.info('stopped');
      // Everything is closed; should anything half-started still hold the event loop (a signal during start-up,
      // while the worker was being created), leave anyway.
      setTimeout(() => process.exit(), 2_000).unref();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));

  try {
    // Before the Orchestrator, the gateway and the worker: each takes its interceptors from the started tracing.
    const tracing = startTracingFromEnv();
    if (tracing) {
      cleanups.push(() => currentTracing()?.shutdown() ?? Promise.resolve());
      logger.info({ endpoint: new URL(tracing.endpoint).origin, serviceName: tracing.serviceName }, 'traces exported over OTLP');
    }
    await assertPreflight(config);
    let address = config.temporalAddress;
    let connection: Connection | null = null;
    if (!address) {
      const dbPath = config.useSqliteCheckpointer ? config.dbPath : null;
      const devServer = await startSupervisedDevServer(
        { port: config.temporalPort, uiPort: config.temporalUiPort, dbPath },
        {
          logger,
          // an in-memory server comes back empty: the namespace needs its search attributes again
          onRestarted: async () => {
            if (connection) await setUpNamespace(connection, config);
          },
          shouldRestart: () => stopping === null,
          onGaveUp: () => {
            process.exitCode = 1;
            void stop('the embedded Temporal dev server could not be restarted');
          },
        },
      );
      cleanups.push(() => devServer.stop());
      address = devServer.address;
      logger.info({ address, webUi: devServer.uiUrl, dbPath: dbPath ?? ':memory:', pid: devServer.pid }, 'embedded Temporal dev server started');
    }

    const connectionOptions = { ...temporalConnectionOptions(config), address };
    connection = await Connection.connect({ ...connectionOptions, channelArgs: RECONNECT_CHANNEL_ARGS });
    const clientConnection = connection;
    cleanups.push(() => clientConnection.close());
    await setUpNamespace(connection, config);

    // The gateway first: it reads from Temporal alone, so it is ready while the worker bundles its workflows.
    const orchestrator = new Orchestrator({ ...config, temporalAddress: address }, { connection });
    cleanups.push(() => orchestrator.close()); // its calls (probes included) settle before the connection closes
    const { host } = gatewaySettingsFromEnv();
    const gateway = await startGateway({ orchestrator }, config.port, host);
    let gatewayClosing: Promise<void> | null = null;
    const closeGateway = (): Promise<void> => (gatewayClosing ??= gateway.close());
    cleanups.push(closeGateway);
    logger.info({ host, url: `http://127.0.0.1:${gateway.port}` }, 'gateway listening');

    const activities = createActivities({}, { config });
    const setup = await agentSetupSummary(config);
    logger[setup.notice ? 'warn' : 'info'](setup, 'agent providers and child-process sandbox');
    const workerConnection = await NativeConnection.connect(connectionOptions);
    cleanups.push(() => workerConnection.close());
    const worker = await createSessionWorker({
      connection: workerConnection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      activities,
      workflowBundle: config.workflowBundlePath ? { codePath: config.workflowBundlePath } : undefined,
      maxCachedWorkflows: config.workerMaxCachedWorkflows,
    });
    // A signal may have come while the worker was being created (the gateway already answered): stop here then.
    if (stopping) return;
    const workerRun = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun.catch(() => undefined);
    });
    logger.info({ taskQueue: config.taskQueue }, 'worker started');
    const stopRetention = startWorkDirRetention({
      client: new Client({ connection, namespace: config.namespace }),
      workDirBase: config.workDirBase,
      retentionDays: config.workDirRetentionDays ?? config.retentionDays,
      onReport: (sweep) => sweep.removed.length > 0 && logger.info(sweep, 'work directories past retention removed'),
      onError: (err) => logger.warn({ err }, 'work directory retention sweep failed'),
    });
    cleanups.push(() => Promise.resolve(stopRetention()));
    // On shutdown the gateway stops taking requests first, as before the worker existed.
    cleanups.push(closeGateway);

    await workerRun.catch(async (err: unknown) => {
      logger.fatal({ err }, 'worker failed');
      process.exitCode = 1;
      await stop('worker failed');
    });
  } catch (err) {
    if (err instanceof PreflightError) process.stderr.write(`${err.message}\n`);
    logger.fatal({ err }, 'start-up failed');
    process.exitCode = 1;
    await stop('start-up failed');
  }
}

void main();
