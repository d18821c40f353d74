import type { Connection } from '@temporalio/client';
import { loadConfig, type ProcessConfig } from './config/load-config';
import { logger, setLogLevel } from './logger';
import { startSupervisedDevServer, type SupervisedDevServer } from './temporal/dev-server-supervisor';

type Cleanup = () => Promise<void>;

/**
 * What the gateway (and the preflight before it) needs beyond the embedded server's supervisor, imported only once
 * that server is spawning: module loading takes a few hundred milliseconds on a quiet machine (seconds on a busy
 * one), which the server's own start-up then overlaps instead of following.
 */
async function loadGatewayModules() {
  const [client, activities, gateway, orchestration, connectionOptions, namespace, tracing] = await Promise.all([
    import('@temporalio/client'),
    import('../activities/index.js'),
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
    startConfiguredGateway: gateway.startConfiguredGateway,
    Orchestrator: orchestration.Orchestrator,
    RECONNECT_CHANNEL_ARGS: connectionOptions.RECONNECT_CHANNEL_ARGS,
    temporalConnectionOptions: connectionOptions.temporalConnectionOptions,
    setUpNamespace: namespace.setUpNamespace,
    startConfiguredTracing: tracing.startConfiguredTracing,
    currentTracing: tracing.currentTracing,
  };
}

/** The worker's modules (with the SDK's worker and its native bridge), which the gateway does not need. */
async function loadWorkerModules() {
  const [runtime, sessionWorker, bundling] = await Promise.all([
    import('./temporal/runtime.js'),
    import('./worker.js'),
    import('./temporal/bundle-workflows.js'),
  ]);
  return {
    installRuntime: runtime.installRuntime,
    startSessionWorker: sessionWorker.startSessionWorker,
    bundleWorkflowsInThread: bundling.bundleWorkflowsInThread,
  };
}

/**
 * The whole system in one process: the embedded Temporal dev server (unless TEMPORAL_ADDRESS names a cluster),
 * the namespace set-up, a worker and the HTTP gateway. SIGINT/SIGTERM, or a failure at any step, stop what has
 * started in reverse order.
 */
async function main(): Promise<void> {
  let loaded: ProcessConfig;
  try {
    loaded = loadConfig();
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    process.exitCode = 1;
    return;
  }
  setLogLevel(loaded.logLevel);
  const config = loaded.orchestrator;
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
    const tracing = gatewayModules.startConfiguredTracing(loaded.tracing);
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
    const gateway = await gatewayModules.startConfiguredGateway(orchestrator, loaded);
    let gatewayClosing: Promise<void> | null = null;
    const closeGateway = (): Promise<void> => (gatewayClosing ??= gateway.close());
    cleanups.push(closeGateway);
    logger.info({ host: loaded.gateway.host, url: `http://127.0.0.1:${gateway.port}` }, 'gateway listening');

    workerModules.installRuntime({ shutdownSignals: [] });
    const worker = await workerModules.startSessionWorker(config, {
      connection: connectionOptions,
      client: new gatewayModules.Client({ connection, namespace: config.namespace }),
      // Bundled off this thread when not prebuilt: webpack would stall the gateway answering beside it.
      bundleWorkflows: async () => {
        const bundleStarted = Date.now();
        const code = await workerModules.bundleWorkflowsInThread(logger);
        logger.info({ bytes: Buffer.byteLength(code), ms: Date.now() - bundleStarted }, 'workflow bundle built in a worker thread');
        return code;
      },
    });
    // A signal may have come while the worker was starting (the gateway already answered): stop it here then.
    if (stopping) {
      await worker.stop();
      return;
    }
    cleanups.push(() => worker.stop());
    // On shutdown the gateway stops taking requests first, as before the worker existed.
    cleanups.push(closeGateway);

    await worker.finished.catch(async (err: unknown) => {
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
