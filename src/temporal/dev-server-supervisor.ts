import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type DevServer, type DevServerExit, type DevServerOptions, startDevServer } from './dev-server';

/** How the embedded dev server is kept running. */
export interface SupervisionOptions {
  logger: Logger;
  /** Start attempts after an unexpected exit before giving up; a server that ran `stableAfterMs` earns a fresh count. @default 5 */
  maxAttempts?: number;
  /** Pause before the n-th attempt: n times this. @default 1000 */
  retryDelayMs?: number;
  /** @default 60000 */
  stableAfterMs?: number;
  /** Runs after each restart, before the server counts as back (the namespace set-up, for an in-memory server). */
  onRestarted?: (server: DevServer) => Promise<void>;
  /** Called once when every attempt failed; the server stays down. */
  onGaveUp?: (err: Error) => void;
  /** False once the owner is shutting down (Ctrl-C reaches the server too): an exit then is no crash. @default always true */
  shouldRestart?: () => boolean;
}

/** An embedded dev server that is started again, on the same port and database, when it exits on its own. */
export interface SupervisedDevServer {
  address: string;
  uiUrl: string | null;
  /** The current server's process id. */
  readonly pid: number;
  /** How many times it was restarted. */
  readonly restarts: number;
  /** Stops supervising and the server. */
  stop(): Promise<void>;
}

/**
 * Start the dev server and restart it whenever it exits without being asked to (killed, crashed), with bounded
 * attempts, each logged. While it is down, readiness answers 503 by itself (Temporal does not answer).
 */
export async function startSupervisedDevServer(options: DevServerOptions, supervision: SupervisionOptions): Promise<SupervisedDevServer> {
  const { logger } = supervision;
  const maxAttempts = supervision.maxAttempts ?? 5;
  const retryDelayMs = supervision.retryDelayMs ?? 1_000;
  const stableAfterMs = supervision.stableAfterMs ?? 60_000;
  let current = await startDevServer(options);
  let startedAt = Date.now();
  let attempts = 0;
  let restarts = 0;
  let stopping = false;
  let restarting: Promise<void> | null = null;

  const restart = async (exit: DevServerExit): Promise<void> => {
    if (Date.now() - startedAt >= stableAfterMs) attempts = 0;
    logger.warn(
      { code: exit.code, signal: exit.signal, dbPath: options.dbPath ?? ':memory:', address: current.address },
      'embedded Temporal dev server exited; restarting it on the same database',
    );
    let lastError = new Error(`exited with ${exit.signal ?? `code ${exit.code}`}`);
    while (!stopping && attempts < maxAttempts) {
      attempts += 1;
      await sleep(retryDelayMs * attempts);
      if (stopping || supervision.shouldRestart?.() === false) return;
      try {
        const server = await startDevServer(options);
        if (stopping) {
          await server.stop();
          return;
        }
        current = server;
        startedAt = Date.now();
        restarts += 1;
        await supervision.onRestarted?.(server).catch((err: unknown) => logger.error({ err }, 'set-up after restarting the dev server failed'));
        logger.info({ attempt: attempts, maxAttempts, address: server.address, pid: server.pid }, 'embedded Temporal dev server restarted');
        follow(server);
        return;
      } catch (err) {
        lastError = err instanceof Error ? err : new Error(String(err));
        logger.error({ err, attempt: attempts, maxAttempts }, 'restarting the embedded Temporal dev server failed');
      }
    }
    if (stopping) return;
    logger.fatal({ attempts: maxAttempts }, 'embedded Temporal dev server could not be restarted; giving up');
    supervision.onGaveUp?.(lastError);
  };

  const follow = (server: DevServer): void => {
    void server.exited.then((exit) => {
      if (stopping || exit.requested || server !== current) return;
      if (supervision.shouldRestart?.() === false) {
        logger.info({ code: exit.code, signal: exit.signal }, 'embedded Temporal dev server exited during shutdown');
        return;
      }
      restarting = restart(exit).finally(() => (restarting = null));
    });
  };
  follow(current);

  return {
    address: current.address,
    uiUrl: current.uiUrl,
    get pid() {
      return current.pid;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping = true;
      await restarting;
      await current.stop();
    },
  };
}
