import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { registerDashboardPageRoutes } from '../dashboard/page-routes';
import { DEFAULT_DASHBOARD_SETTINGS, type DashboardSettings } from '../config/dashboard-settings';
import { DEFAULT_GATEWAY_SETTINGS } from '../config/gateway-settings';
import { logger as processLogger } from '../logger';
import type { Orchestrator } from '../orchestration/orchestrator';
import { bearerAuth } from './auth';
import { registerEventStreamRoutes } from './event-stream-routes';
import { registerGitRoutes } from './git-routes';
import { errorMiddleware, notFoundHandler } from './http-errors';
import { createMetrics, type MetricsOptions } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { OPERATIONS } from './operations';
import { registerMethodNotAllowed } from './method-not-allowed';
import { markRoute, requestTelemetry } from './request-log';
import { registerSessionRoutes } from './session-routes';
import { httpServerSpans } from '../tracing/http-spans';
import { currentTracing } from '../tracing/tracing';

/** What the gateway serves from, and how. */
export interface GatewayDeps {
  orchestrator: Orchestrator;
  /** @default the process logger */
  logger?: Logger;
  /** When set, every /sessions route needs `Authorization: Bearer <token>`; health, readiness, metrics stay open. */
  apiToken?: string;
  /** How long readiness waits for Temporal: under a Kubernetes probe's default timeout of 1 s. @default 800 */
  readinessTimeoutMs?: number;
  /** Bound on a read or a start through Temporal. @default 5000 */
  requestTimeoutMs?: number;
  /** How long a decision waits for a worker to confirm it before a 503. @default 10000 */
  decisionTimeoutMs?: number;
  /** How long a cancellation waits for the workflow to confirm it before a 503. @default 5000 */
  cancelWaitMs?: number;
  /** Largest JSON body accepted, in bytes. @default 131072 */
  bodyLimitBytes?: number;
  metrics?: MetricsOptions;
  /** True once the process is shutting down: health and readiness then answer 503. */
  isShuttingDown?: () => boolean;
  /** The dashboard's settings. @default DEFAULT_DASHBOARD_SETTINGS */
  dashboard?: Partial<DashboardSettings>;
}

/** The HTTP gateway as an Express app that does not listen yet (tests use it directly). */
export function createApp(deps: GatewayDeps): Express {
  const logger = deps.logger ?? processLogger;
  const { orchestrator } = deps;
  const shuttingDown = deps.isShuttingDown ?? (() => false);
  const metrics = createMetrics(orchestrator, logger, deps.metrics);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  if (currentTracing()) app.use(httpServerSpans());
  app.use(requestTelemetry(logger, (request) => metrics.observeRequest(request)));
  // A JSON API renders nothing: the strictest policy, not helmet's defaults for HTML sites.
  app.use(helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } }));
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  app.get(OPERATIONS.health.path, markRoute, (_req, res) => {
    const down = shuttingDown();
    res.status(down ? 503 : 200).json({ status: down ? 'unhealthy' : 'healthy', timestamp: new Date().toISOString() });
  });

  app.get(OPERATIONS.readiness.path, markRoute, async (_req, res) => {
    const timestamp = new Date().toISOString();
    if (shuttingDown()) {
      res.status(503).json({ status: 'not_ready', database: 'connected', timestamp, error: 'shutting down' });
      return;
    }
    const timeoutMs = deps.readinessTimeoutMs ?? 800;
    try {
      await orchestrator.ping(timeoutMs);
      res.json({ status: 'ready', database: 'connected', timestamp });
    } catch (err) {
      res.status(503).json({ status: 'not_ready', database: 'disconnected', timestamp, error: errorMessage(err) });
    }
  });

  app.get(OPERATIONS.metrics.path, markRoute, async (_req, res) => {
    const text = await metrics.render();
    res.type(metrics.contentType).send(text);
  });

  // Built on first request: its JSON schemas take tens of milliseconds that start-up need not wait for.
  let openApiDocument: unknown = null;
  app.get(OPERATIONS.openapi.path, markRoute, (_req, res) => {
    openApiDocument ??= buildOpenApiDocument({ bearerAuth: Boolean(deps.apiToken) });
    res.json(openApiDocument);
  });

  const jsonBody = express.json({ limit: deps.bodyLimitBytes ?? DEFAULT_GATEWAY_SETTINGS.bodyLimitBytes, strict: true });
  const requestTimeoutMs = deps.requestTimeoutMs ?? DEFAULT_GATEWAY_SETTINGS.requestTimeoutMs;
  registerSessionRoutes(app, orchestrator, {
    requestTimeoutMs,
    decisionTimeoutMs: deps.decisionTimeoutMs ?? DEFAULT_GATEWAY_SETTINGS.decisionTimeoutMs,
    cancelWaitMs: deps.cancelWaitMs ?? 5_000,
    auth: deps.apiToken ? bearerAuth(deps.apiToken) : null,
    jsonBody,
  });

  registerGitRoutes(app, orchestrator, { requestTimeoutMs, auth: deps.apiToken ? bearerAuth(deps.apiToken) : null });

  const dashboard = { ...DEFAULT_DASHBOARD_SETTINGS, ...deps.dashboard };
  registerEventStreamRoutes(app, orchestrator, {
    requestTimeoutMs,
    apiToken: deps.apiToken,
    jsonBody,
    stream: { pollMs: dashboard.pollMs, heartbeatMs: dashboard.heartbeatMs },
  });
  registerDashboardPageRoutes(app, { temporalUiUrl: dashboard.temporalUiUrl, namespace: orchestrator.config.namespace, authRequired: Boolean(deps.apiToken) });

  registerMethodNotAllowed(app, Object.values(OPERATIONS));
  app.use(notFoundHandler);
  app.use(errorMiddleware(logger));
  return app;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.name) : String(err);
}
