import { Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { resolveConfig } from './config';
import { startGateway } from './gateway/server';
import { logger } from './logger';
import { Orchestrator } from './orchestration/orchestrator';
import { type DevServer, startDevServer } from './temporal/dev-server';
import { prepareNamespace } from './temporal/namespace-setup';
import { createSessionWorker } from './worker';

/**
 * The whole system in one process: the embedded Temporal dev server (unless TEMPORAL_ADDRESS names a cluster),
 * the namespace set-up, a worker and the HTTP gateway. SIGINT/SIGTERM stop all of it in reverse order.
 */
async function main(): Promise<void> {
  const config = resolveConfig();
  Runtime.install({ shutdownSignals: [] });

  let devServer: DevServer | null = null;
  if (!config.temporalAddress) {
    devServer = await startDevServer({
      port: config.temporalPort,
      uiPort: config.temporalUiPort,
      dbPath: config.useSqliteCheckpointer ? config.dbPath : null,
    });
    logger.info({ address: devServer.address, webUi: devServer.uiUrl, dbPath: config.useSqliteCheckpointer ? config.dbPath : ':memory:' }, 'embedded Temporal dev server started');
  }
  const address = devServer?.address ?? config.temporalAddress;

  const connection = await Connection.connect({ address });
  const report = await prepareNamespace(connection, config.namespace, config.retentionDays);
  logger.info({ ...report, namespace: config.namespace }, 'namespace ready');

  const workerConnection = await NativeConnection.connect({ address });
  const worker = await createSessionWorker({ connection: workerConnection, namespace: config.namespace, taskQueue: config.taskQueue });
  const workerRun = worker.run();
  logger.info({ taskQueue: config.taskQueue }, 'worker started');

  const orchestrator = new Orchestrator({ ...config, temporalAddress: address }, { connection });
  const gateway = await startGateway({ orchestrator }, config.port);
  logger.info({ url: `http://127.0.0.1:${gateway.port}` }, 'gateway listening');

  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await gateway.close();
    worker.shutdown();
    await workerRun;
    await workerConnection.close();
    await connection.close();
    await devServer?.stop();
    logger.info('stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));
  await workerRun.catch(async (err: unknown) => {
    logger.fatal({ err }, 'worker failed');
    await stop('SIGTERM');
    process.exitCode = 1;
  });
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'start-up failed');
  process.exit(1);
});
