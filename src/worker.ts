import { NativeConnection, Worker } from '@temporalio/worker';
import { agentSetupSummary, createActivities, startWorkDirRetention } from '../activities';
import type { SessionActivities } from '../workflows/definitions';
import { resolveConfig, temporalAddressOf } from './config';
import { logger } from './logger';
import { prepareNamespace } from './temporal/namespace-setup';
import { installRuntime } from './temporal/runtime';
import { Client, Connection } from '@temporalio/client';

/** What a session worker needs. */
export interface SessionWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** @default createActivities() */
  activities?: SessionActivities;
  /** A prebuilt workflow bundle; without one the worker bundles `workflows/` at start-up. */
  workflowBundle?: { codePath: string };
}

/** A worker that runs session workflows and their agent activities. */
export function createSessionWorker(options: SessionWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities ?? createActivities(),
    // Cancellation reaches an activity only with a heartbeat response; keep that within a second.
    maxHeartbeatThrottleInterval: '1 second',
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
  });
}

async function main(): Promise<void> {
  const config = resolveConfig();
  installRuntime();
  const address = temporalAddressOf(config);
  const setupConnection = await Connection.connect({ address });
  try {
    const report = await prepareNamespace(setupConnection, config.namespace, config.retentionDays);
    logger.info({ ...report, namespace: config.namespace }, 'namespace ready');
  } finally {
    await setupConnection.close();
  }
  const activities = createActivities({}, { config });
  const setup = await agentSetupSummary(config);
  logger[setup.notice ? 'warn' : 'info'](setup, 'agent providers and child-process sandbox');
  const connection = await NativeConnection.connect({ address });
  const worker = await createSessionWorker({ connection, namespace: config.namespace, taskQueue: config.taskQueue, activities });
  const retentionConnection = await Connection.connect({ address });
  const stopRetention = startWorkDirRetention({
    client: new Client({ connection: retentionConnection, namespace: config.namespace }),
    workDirBase: config.workDirBase,
    retentionDays: config.workDirRetentionDays ?? config.retentionDays,
    onReport: (report) => report.removed.length > 0 && logger.info(report, 'work directories past retention removed'),
    onError: (err) => logger.warn({ err }, 'work directory retention sweep failed'),
  });
  logger.info({ address, namespace: config.namespace, taskQueue: config.taskQueue }, 'worker started');
  await worker.run();
  stopRetention();
  await retentionConnection.close();
  await connection.close();
  logger.info('worker stopped');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.fatal({ err }, 'worker failed');
    process.exit(1);
  });
}
