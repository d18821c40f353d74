import type { Server } from 'node:http';
import { resolveConfig } from '../config';
import { logger } from '../logger';
import { Orchestrator } from '../orchestration/orchestrator';
import { createApp, type GatewayDeps } from './app';
import { gatewaySettingsFromEnv } from './gateway-config';
import { currentTracing, startTracingFromEnv } from '../tracing/tracing';

/** A listening gateway. */
export interface RunningGateway {
  server: Server;
  port: number;
  /**
   * Graceful stop: health and readiness turn 503, no new connections are accepted, in-flight requests finish
   * (connections still busy after the shutdown timeout are closed).
   */
  close(): Promise<void>;
}

/** Options of a listening gateway beyond the app's. */
export interface ServerOptions {
  /** How long `close()` waits for in-flight requests. @default 10000 */
  shutdownTimeoutMs?: number;
}

/**
 * Listen on `port` (0 picks a free one). Settings not given in `deps` come from the environment
 * (API_TOKEN, GATEWAY_*), validated: a bad value fails here.
 */
export function startGateway(deps: GatewayDeps, port: number, host = '0.0.0.0', options: ServerOptions = {}): Promise<RunningGateway> {
  const settings = gatewaySettingsFromEnv();
  let shuttingDown = false;
  const app = createApp({
    apiToken: settings.apiToken,
    requestTimeoutMs: settings.requestTimeoutMs,
    decisionTimeoutMs: settings.decisionTimeoutMs,
    bodyLimitBytes: settings.bodyLimitBytes,
    ...deps,
    isShuttingDown: () => shuttingDown || (deps.isShuttingDown?.() ?? false),
  });
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? settings.shutdownTimeoutMs;
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
      const address = server.address();
      let closing: Promise<void> | null = null;
      resolve({
        server,
        port: typeof address === 'object' && address ? address.port : port,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            shuttingDown = true;
            const force = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs);
            force.unref();
            server.close(() => {
              clearTimeout(force);
              done();
            });
            server.closeIdleConnections();
          })),
      });
    });
  });
}

async function main(): Promise<void> {
  const config = resolveConfig();
  const tracing = startTracingFromEnv();
  const orchestrator = new Orchestrator(config);
  const settings = gatewaySettingsFromEnv();
  const gateway = await startGateway({ orchestrator }, config.port, settings.host);
  logger.info({ host: settings.host, port: gateway.port, auth: settings.apiToken ? 'bearer' : 'off', traces: tracing ? 'otlp' : 'off' }, 'gateway listening');
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'gateway stopping: finishing in-flight requests');
    await gateway.close();
    await orchestrator.close();
    await currentTracing()?.shutdown();
    logger.info('gateway stopped');
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
