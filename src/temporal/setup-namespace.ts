import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import type { OrchestratorConfig } from '../config';
import { loadConfig } from '../config/load-config';
import { logger, setLogLevel } from '../logger';
import { GrpcCode, grpcCodeOf } from '../orchestration/availability';
import { temporalConnectionOptions } from './connection-options';
import { prepareNamespace } from './namespace-setup';

/** Options of {@link setUpNamespace}. */
export interface SetUpNamespaceOptions {
  /** Register the namespace when the cluster does not have it (a fresh self-hosted cluster). @default false */
  createIfMissing?: boolean;
  /** How long a namespace just registered may take to become usable, in milliseconds. @default 60000 */
  readyTimeoutMs?: number;
}

/**
 * Make the configured namespace ready for sessions (search attributes, retention) and log what changed, unless
 * `skipNamespaceSetup` is set (Temporal Cloud, where they are managed with tcld or the Cloud UI).
 */
export async function setUpNamespace(connection: Connection, config: OrchestratorConfig, options: SetUpNamespaceOptions = {}): Promise<void> {
  if (config.skipNamespaceSetup) {
    logger.info({ namespace: config.namespace }, 'namespace set-up skipped (TEMPORAL_SKIP_NAMESPACE_SETUP)');
    return;
  }
  const { namespace, retentionDays } = config;
  let created = false;
  if (options.createIfMissing) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (err) {
      if (grpcCodeOf(err) !== GrpcCode.NOT_FOUND) throw err;
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) });
      created = true;
      logger.info({ namespace, retentionDays }, 'namespace registered');
    }
  }
  // A namespace just registered reaches every frontend's cache within seconds; until then it is "not found".
  const deadline = Date.now() + (created ? (options.readyTimeoutMs ?? 60_000) : 0);
  for (;;) {
    try {
      const report = await prepareNamespace(connection, namespace, retentionDays);
      logger.info({ ...report, namespace }, 'namespace ready');
      return;
    } catch (err) {
      if (grpcCodeOf(err) !== GrpcCode.NOT_FOUND || Date.now() >= deadline) throw err;
      await sleep(1_000);
    }
  }
}

/** Connect to the configured cluster, retrying while it starts (at most `timeoutMs`). */
async function connectPatiently(config: OrchestratorConfig, timeoutMs: number): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: 5_000 });
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      logger.info({ err: err instanceof Error ? err.message : String(err) }, 'waiting for Temporal');
      await sleep(2_000);
    }
  }
}

/**
 * `npm run setup-namespace` (the compose stack's one-shot step): register the namespace when missing, then its
 * search attributes and retention; exit 0 when ready.
 */
async function main(): Promise<void> {
  const { orchestrator: config, logLevel } = loadConfig();
  setLogLevel(logLevel);
  const connection = await connectPatiently(config, 120_000);
  try {
    await setUpNamespace(connection, config, { createIfMissing: true });
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.fatal({ err }, 'namespace set-up failed');
    process.exit(1);
  });
}
