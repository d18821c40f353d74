import express, { type Express } from 'express';
import type { Orchestrator } from '../orchestration/orchestrator';

/** What the gateway serves from. */
export interface GatewayDeps {
  orchestrator: Orchestrator;
  /** How long readiness waits for Temporal. @default 2000 */
  readinessTimeoutMs?: number;
}

/** The HTTP gateway as an Express app that does not listen yet (tests use it directly). */
export function createApp(deps: GatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'healthy', timestamp: new Date().toISOString() });
  });

  app.get('/readyz', async (_req, res) => {
    const timestamp = new Date().toISOString();
    try {
      await deps.orchestrator.ping(deps.readinessTimeoutMs ?? 2_000);
      res.json({ status: 'ready', database: 'connected', timestamp });
    } catch (err) {
      res.status(503).json({ status: 'not_ready', database: 'disconnected', timestamp, error: errorMessage(err) });
    }
  });

  return app;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] ?? err.name : String(err);
}
