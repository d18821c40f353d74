import type { Server } from 'node:http';
import { DEFAULT_GATEWAY_SETTINGS } from '../config/gateway-settings';
import { loadConfig, type ProcessConfig } from '../config/load-config';
import { logger, setLogLevel } from '../logger';
import { Orchestrator } from '../orchestration/orchestrator';
import { createApp, type GatewayDeps } from './app';
import { currentTracing, startConfiguredTracing } from '../tracing/tracing';

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
  /** How long `close()` waits for in-flight requests. @default 10000 (GATEWAY_SHUTDOWN_TIMEOUT_MS's default) */
  shutdownTimeoutMs?: number;
}

/**
 * Listen on `port` (0 picks a free one) and `host`, loopback unless told otherwise (an open API stays on this
 * machine). Settings not given in `deps` take their defaults: nothing here reads the environment.
 */
export function startGateway(deps: GatewayDeps, port: number, host = DEFAULT_GATEWAY_SETTINGS.host, options: ServerOptions = {}): Promise<RunningGateway> {
  let shuttingDown = false;
  const app = createApp({ ...deps, isShuttingDown: () => shuttingDown || (deps.isShuttingDown?.() ?? false) });
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_GATEWAY_SETTINGS.shutdownTimeoutMs;
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

/** The gateway of an entry point: on PORT and GATEWAY_HOST, with the token, bounds and dashboard settings it loaded. */
export function startConfiguredGateway(orchestrator: Orchestrator, config: ProcessConfig): Promise<RunningGateway> {
  const { gateway } = config;
  const deps: GatewayDeps = {
    orchestrator,
    apiToken: gateway.apiToken,
    requestTimeoutMs: gateway.requestTimeoutMs,
    decisionTimeoutMs: gateway.decisionTimeoutMs,
    bodyLimitBytes: gateway.bodyLimitBytes,
    dashboard: config.dashboard,
    metrics: { collectAtStart: true },
  };
  return startGateway(deps, config.orchestrator.port, gateway.host, { shutdownTimeoutMs: gateway.shutdownTimeoutMs });
}

/** `npm run gateway` (the compose stack's gateway): serves until SIGINT/SIGTERM, then drains. */
async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const tracing = startConfiguredTracing(config.tracing);
  const orchestrator = new Orchestrator(config.orchestrator);
  const gateway = await startConfiguredGateway(orchestrator, config);
  logger.info({ host: config.gateway.host, port: gateway.port, auth: config.gateway.apiToken ? 'bearer' : 'off', traces: tracing ? 'otlp' : 'off' }, 'gateway listening');
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
