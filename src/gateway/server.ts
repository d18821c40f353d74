import type { Server } from 'node:http';
import { resolveConfig } from '../config';
import { logger } from '../logger';
import { Orchestrator } from '../orchestration/orchestrator';
import { createApp, type GatewayDeps } from './app';

/** A listening gateway. */
export interface RunningGateway {
  server: Server;
  port: number;
  /** Stop accepting connections and finish in-flight requests. */
  close(): Promise<void>;
}

/** Listen on `port` (0 picks a free one). */
export function startGateway(deps: GatewayDeps, port: number, host = '0.0.0.0'): Promise<RunningGateway> {
  const app = createApp(deps);
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
      const address = server.address();
      resolve({
        server,
        port: typeof address === 'object' && address ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

async function main(): Promise<void> {
  const config = resolveConfig();
  const orchestrator = new Orchestrator(config);
  const gateway = await startGateway({ orchestrator }, config.port);
  logger.info({ port: gateway.port }, 'gateway listening');
  const stop = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'gateway stopping');
    await gateway.close();
    await orchestrator.close();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.fatal({ err }, 'gateway failed');
    process.exit(1);
  });
}
