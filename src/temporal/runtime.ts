import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';
import { logger } from '../logger';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Install the Temporal SDK runtime once per process, with the SDK's own logs (worker and workflow loggers)
 * written as JSON lines through the process logger. `shutdownSignals: []` leaves signal handling to the caller.
 */
export function installRuntime(options: { shutdownSignals?: NodeJS.Signals[] } = {}): void {
  Runtime.install({
    ...options,
    logger: new DefaultLogger('INFO', (entry) => {
      logger[PINO_LEVEL[entry.level]]({ sdk: true, ...entry.meta }, entry.message);
    }),
  });
}
