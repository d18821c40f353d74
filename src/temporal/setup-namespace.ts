/**
 * `npm run setup-namespace` (the compose stack's one-shot step): register the namespace when missing, then its
 * search attributes and retention; exit 0 when ready. The work itself is namespace.ts's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import type { OrchestratorConfig } from '../config';
import { loadConfig } from '../config/load-config';
import { logger, setLogLevel } from '../logger';
import { temporalConnectionOptions } from './connection-options';
import { setUpNamespace } from './namespace';

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
