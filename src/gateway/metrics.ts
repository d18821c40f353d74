import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PHASES, SessionStatus } from '../../workflows/definitions';
import type { Orchestrator, SessionStats } from '../orchestration/orchestrator';
import type { FinishedRequest } from './request-log';

/** Phase runs whose retries are remembered (oldest forgotten first). */
const MAX_RETRY_KEYS = 10_000;

/** How the gateway's metrics are gathered. */
export interface MetricsOptions {
  /** Reuse derived session figures for this long, so scrapes (and replicas) do not load Temporal. @default 5000 */
  cacheMs?: number;
  /** Bound on gathering the figures from Temporal. @default 5000 */
  timeoutMs?: number;
}

/** The gateway's Prometheus registry and what feeds it. */
export interface GatewayMetrics {
  registry: Registry;
  observeRequest(request: FinishedRequest): void;
}

/**
 * Metrics of one gateway process. Session figures (`sessions_*`, `approvals_total`, `rejections_total`,
 * `session_phase_longest_seconds`) are derived from Temporal at scrape time, so they are the namespace's truth
 * on every replica and after restarts; request metrics and the process defaults are this process's own.
 * When Temporal cannot be read, the last figures stay and `orchestrator_temporal_up` drops to 0.
 */
export function createMetrics(orchestrator: Orchestrator, logger: Logger, options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const cacheMs = options.cacheMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 5_000;

  let last: SessionStats | null = null;
  let inFlight: Promise<SessionStats | null> | null = null;
  let attemptedAt = 0;
  let up = 0;
  const phaseDuration = new Histogram({
    name: 'session_phase_duration_seconds',
    help: 'Duration of phase runs of sessions that completed or expired while this process ran (phase review: time waiting for a decision)',
    labelNames: ['phase'],
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600],
    registers: [registry],
    async collect() {
      await stats();
    },
  });
  const tokens = new Counter({
    name: 'model_tokens_total',
    help: 'Model tokens spent by the phases of sessions that completed while this process ran, by phase, model and kind (prompt, completion)',
    labelNames: ['phase', 'model', 'kind'],
    registers: [registry],
    async collect() {
      await stats();
    },
  });
  const retries = new Counter({
    name: 'phase_retries_total',
    help: 'Failed attempts of agent phases that Temporal retried, by phase and failure type (environment faults are retried for PHASE_RETRY_WINDOW_SECONDS), as seen by this process',
    labelNames: ['phase', 'reason'],
    registers: [registry],
    async collect() {
      await stats();
    },
  });
  /** The highest failed-attempt count seen per phase run, so each retry is counted once. */
  const retriesSeen = new Map<string, number>();
  const stats = (): Promise<SessionStats | null> => {
    if (inFlight) return inFlight;
    if (Date.now() - attemptedAt < cacheMs) return Promise.resolve(last);
    inFlight = orchestrator
      .withDeadline(timeoutMs, () => orchestrator.getSessionStats())
      .then(
        (fresh) => {
          last = fresh;
          up = 1;
          for (const run of fresh.finishedPhaseRuns) phaseDuration.observe({ phase: run.phase }, run.seconds);
          for (const used of fresh.finishedTokenUsage) {
            tokens.inc({ phase: used.phase, model: used.model, kind: 'prompt' }, used.promptTokens);
            tokens.inc({ phase: used.phase, model: used.model, kind: 'completion' }, used.completionTokens);
          }
          for (const retry of fresh.pendingRetries) {
            const key = `${retry.sessionId}/${retry.activityId}`;
            const before = retriesSeen.get(key) ?? 0;
            if (retry.failedAttempts > before) retries.inc({ phase: retry.phase, reason: retry.reason }, retry.failedAttempts - before);
            retriesSeen.delete(key);
            retriesSeen.set(key, Math.max(before, retry.failedAttempts));
          }
          for (const key of retriesSeen.keys()) {
            if (retriesSeen.size <= MAX_RETRY_KEYS) break;
            retriesSeen.delete(key);
          }
          return fresh;
        },
        (err: unknown) => {
          up = 0;
          logger.warn({ err }, 'session metrics: Temporal could not be read; keeping the last figures');
          return last;
        },
      )
      .finally(() => {
        attemptedAt = Date.now();
        inFlight = null;
      });
    return inFlight;
  };

  // A count derived from visibility drops when retention removes closed sessions; a counter must not go down
  // within a process, so each counter keeps the highest figure it reported (a restart is a counter reset).
  const highest = new Map<Counter, number>();
  const fromStats = (pick: (s: SessionStats) => number) =>
    async function (this: Counter | Gauge): Promise<void> {
      const current = await stats();
      if (!current) return;
      if (this instanceof Counter) {
        const value = Math.max(pick(current), highest.get(this) ?? 0);
        highest.set(this, value);
        this.reset();
        this.inc(value);
      } else {
        this.set(pick(current));
      }
    };

  new Counter({ name: 'sessions_total', help: 'Total number of sessions', registers: [registry], collect: fromStats((s) => s.total) });
  new Gauge({ name: 'sessions_active', help: 'Current active sessions', registers: [registry], collect: fromStats((s) => s.active) });
  new Counter({ name: 'approvals_total', help: 'Total approvals', registers: [registry], collect: fromStats((s) => s.approvals) });
  new Counter({ name: 'rejections_total', help: 'Total rejections', registers: [registry], collect: fromStats((s) => s.rejections) });
  new Gauge({
    name: 'sessions_by_status',
    help: 'Sessions in Temporal (open, or closed within retention) by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const current = await stats();
      if (current) for (const status of Object.values(SessionStatus)) this.set({ status }, current.byStatus[status]);
    },
  });
  new Gauge({
    name: 'session_phase_longest_seconds',
    help: 'Per phase, how long the open session longest in it has been there (phase review: waiting for a decision)',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      const current = await stats();
      if (!current) return;
      this.reset();
      for (const phase of PHASES) this.set({ phase }, current.longestInPhaseSeconds[phase] ?? 0);
    },
  });
  new Gauge({
    name: 'session_metrics_unresolved_sessions',
    help: 'Approved sessions whose rejections could not be read (no worker answered); left out of rejections_total',
    registers: [registry],
    collect: fromStats((s) => s.unresolvedSessions),
  });
  new Gauge({
    name: 'orchestrator_temporal_up',
    help: 'Whether the last attempt to read session figures from Temporal succeeded',
    registers: [registry],
    async collect() {
      await stats();
      this.set(up);
    },
  });

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Gateway request duration by method, route and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    observeRequest: ({ method, route, status, seconds }) => duration.observe({ method, route, status_code: String(status) }, seconds),
  };
}
