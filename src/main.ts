import type { Connection } from '@temporalio/client';
import { resolveConfig } from './config';
import { logger } from './logger';
import { startSupervisedDevServer, type SupervisedDevServer } from './temporal/dev-server-supervisor';

type Cleanup = () => Promise<void>;

/**
 * What the gateway (and the preflight before it) needs beyond the embedded server's supervisor, imported only once
 * that server is spawning: module loading takes a few hundred milliseconds on a quiet machine (seconds on a busy
 * one), which the server's own start-up then overlaps instead of following.
 */
async function loadGatewayModules() {
  const [client, activities, gatewayConfig, gateway, orchestration, connectionOptions, namespace, tracing] = await Promise.all([
    import('@temporalio/client'),
    import('../activities/index.js'),
    import('./gateway/gateway-config.js'),
    import('./gateway/server.js'),
    import('./orchestration/orchestrator.js'),
    import('./temporal/connection-options.js'),
    import('./temporal/namespace.js'),
    import('./tracing/tracing.js'),
  ]);
  return {
    ...activities,
    Client: client.Client,
    Connection: client.Connection,
    gatewaySettingsFromEnv: gatewayConfig.gatewaySettingsFromEnv,
    startGateway: gateway.startGateway,
    Orchestrator: orchestration.Orchestrator,
    RECONNECT_CHANNEL_ARGS: connectionOptions.RECONNECT_CHANNEL_ARGS,
    temporalConnectionOptions: connectionOptions.temporalConnectionOptions,
    setUpNamespace: namespace.setUpNamespace,
    startTracingFromEnv: tracing.startTracingFromEnv,
    currentTracing: tracing.currentTracing,
  };
}

/** The worker's modules (the SDK's worker and its native bridge), which the gateway does not need. */
async function loadWorkerModules() {
  const [worker, runtime, sessionWorker, bundling] = await Promise.all([
    import('@temporalio/worker'),
    import('./temporal/runtime.js'),
    import('./worker.js'),
    import('./temporal/bundle-workflows.js'),
  ]);
  return {
    NativeConnection: worker.NativeConnection,
    installRuntime: runtime.installRuntime,
    createSessionWorker: sessionWorker.createSessionWorker,
    bundleWorkflowsInThread: bundling.bundleWorkflowsInThread,
  };
}

/**
 * The whole system in one process: the embedded Temporal dev server (unless TEMPORAL_ADDRESS names a cluster),
 * the namespace set-up, a worker and the HTTP gateway. SIGINT/SIGTERM, or a failure at any step, stop what has
 * started in reverse order.
 */
async function main(): Promise<void> {
  const config = resolveConfig();
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

  let connection: Connection | null = null;
  const dbPath = config.useSqliteCheckpointer ? config.dbPath : null;
  // The server is spawned first; the modules load, and the preflight checks this machine, while it starts.
  const devServerStarting: Promise<SupervisedDevServer | null> = config.temporalAddress
    ? Promise.resolve(null)
    : startSupervisedDevServer(
        { port: config.temporalPort, uiPort: config.temporalUiPort, dbPath },
        {
          logger,
          // an in-memory server comes back empty: the namespace needs its search attributes again
          onRestarted: async () => {
            if (connection) await (await modulesLoading).setUpNamespace(connection, config);
          },
          shouldRestart: () => stopping === null,
          onGaveUp: () => {
            process.exitCode = 1;
            void stop('the embedded Temporal dev server could not be restarted');
          },
        },
      );
  const devServerReady = devServerStarting.then((devServer) => {
    if (devServer) {
      cleanups.push(() => devServer.stop());
      logger.info({ address: devServer.address, webUi: devServer.uiUrl, dbPath: dbPath ?? ':memory:', pid: devServer.pid }, 'embedded Temporal dev server started');
    }
    return devServer;
  });
  devServerReady.catch(() => undefined); // awaited below, once the modules are loaded; its failure is reported there
  const modulesLoading = loadGatewayModules();
  let gatewayModules: Awaited<typeof modulesLoading> | null = null;
  try {
    gatewayModules = await modulesLoading;
    // Before the Orchestrator, the gateway and the worker: each takes its interceptors from the started tracing.
    const tracing = gatewayModules.startTracingFromEnv();
    if (tracing) {
      const { currentTracing } = gatewayModules;
      cleanups.push(() => currentTracing()?.shutdown() ?? Promise.resolve());
      logger.info({ endpoint: new URL(tracing.endpoint).origin, serviceName: tracing.serviceName }, 'traces exported over OTLP');
    }
    const preflightDone = gatewayModules.assertPreflight(config);
    preflightDone.catch(() => undefined); // reported below
    // Loaded now, while the server boots (and the preflight's probe child runs): later, it would stall the gateway.
    const workerModules = await loadWorkerModules();
    const [preflight, started] = await Promise.allSettled([preflightDone, devServerReady]);
    // A machine that cannot run phases is the first thing to report, whatever the server did.
    if (preflight.status === 'rejected') throw preflight.reason;
    if (started.status === 'rejected') throw started.reason;
    const address = started.value?.address ?? config.temporalAddress ?? '';

    const connectionOptions = { ...gatewayModules.temporalConnectionOptions(config), address };
    connection = await gatewayModules.Connection.connect({ ...connectionOptions, channelArgs: gatewayModules.RECONNECT_CHANNEL_ARGS });
    const clientConnection = connection;
    cleanups.push(() => clientConnection.close());
    await gatewayModules.setUpNamespace(connection, config);

    // The gateway first: it reads from Temporal alone, so it is ready while the worker bundles its workflows.
    const orchestrator = new gatewayModules.Orchestrator({ ...config, temporalAddress: address }, { connection });
    cleanups.push(() => orchestrator.close()); // its calls (probes included) settle before the connection closes
    const { host } = gatewayModules.gatewaySettingsFromEnv();
    const gateway = await gatewayModules.startGateway({ orchestrator }, config.port, host);
    let gatewayClosing: Promise<void> | null = null;
    const closeGateway = (): Promise<void> => (gatewayClosing ??= gateway.close());
    cleanups.push(closeGateway);
    logger.info({ host, url: `http://127.0.0.1:${gateway.port}` }, 'gateway listening');

    workerModules.installRuntime({ shutdownSignals: [] });
    const activities = gatewayModules.createActivities({}, { config });
    const setup = await gatewayModules.agentSetupSummary(config);
    logger[setup.notice ? 'warn' : 'info'](setup, 'agent providers and child-process sandbox');
    const workerConnection = await workerModules.NativeConnection.connect(connectionOptions);
    cleanups.push(() => workerConnection.close());
    // Bundled off this thread when not prebuilt: webpack would stall the gateway answering beside it.
    let workflowBundle: { codePath: string } | { code: string };
    if (config.workflowBundlePath) {
      workflowBundle = { codePath: config.workflowBundlePath };
    } else {
      const bundleStarted = Date.now();
      const code = await workerModules.bundleWorkflowsInThread(logger);
      logger.info({ bytes: Buffer.byteLength(code), ms: Date.now() - bundleStarted }, 'workflow bundle built in a worker thread');
      workflowBundle = { code };
    }
    const worker = await workerModules.createSessionWorker({
      connection: workerConnection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      activities,
      workflowBundle,
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
    const stopRetention = gatewayModules.startWorkDirRetention({
      client: new gatewayModules.Client({ connection, namespace: config.namespace }),
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
    if (gatewayModules && err instanceof gatewayModules.PreflightError) process.stderr.write(`${err.message}\n`);
    logger.fatal({ err }, 'start-up failed');
    process.exitCode = 1;
    await devServerReady.catch(() => undefined); // a server still starting is stopped too
    await stop('start-up failed');
  }
}

void main();
