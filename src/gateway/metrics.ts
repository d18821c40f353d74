import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PHASES, SessionStatus } from '../../workflows/definitions';
import { withinTime } from '../orchestration/availability';
import type { Orchestrator, SessionStats } from '../orchestration/orchestrator';
import type { FinishedRequest } from './request-log';

/**
 * The session figures without labels: such a metric reads 0 until set ("no sessions"), so a scrape leaves them out
 * until a collection has produced figures.
 */
const PLAIN_SESSION_FIGURES = [
  'sessions_total',
  'sessions_active',
  'approvals_total',
  'rejections_total',
  'sessions_reached_qa',
  'sessions_qa_passed',
  'session_metrics_unresolved_sessions',
  'session_metrics_first_collection_seconds',
];

/** The exposition `text` without the metric families `names` (their HELP, TYPE and sample lines). */
function withoutFamilies(text: string, names: readonly string[]): string {
  const ofFamily = (line: string, name: string): boolean =>
    line.startsWith(`# HELP ${name} `) || line.startsWith(`# TYPE ${name} `) || line.startsWith(`${name} `) || line.startsWith(`${name}{`);
  return text
    .split('\n')
    .filter((line) => !names.some((name) => ofFamily(line, name)))
    .join('\n');
}

/**
 * The first collection lists every session (seconds at 10,000): it has this long, while a scrape waits for it only
 * the collection's usual deadline, so its length never reads as Temporal being down.
 */
const FIRST_COLLECTION_TIMEOUT_MS = 60_000;

/** Phase runs whose retries are remembered (oldest forgotten first). */
const MAX_RETRY_KEYS = 10_000;

/** How the gateway's metrics are gathered. */
export interface MetricsOptions {
  /**
   * Session figures older than this are refreshed in the background: a scrape answers from the last figures at
   * once and never waits on Temporal (only the very first does). 0 makes every scrape wait for fresh figures.
   * @default 5000
   */
  cacheMs?: number;
  /** Bound on gathering the figures from Temporal. @default 5000 */
  timeoutMs?: number;
  /**
   * Start the first collection now rather than at the first scrape (the entry points do): at 10,000 sessions it
   * lists every session, seconds that the first scrape would otherwise wait. @default false
   */
  collectAtStart?: boolean;
}

/** The gateway's Prometheus registry and what feeds it. */
export interface GatewayMetrics {
  /** The exposition text: the session figures left out (not reported as 0) until a collection has produced them. */
  render(): Promise<string>;
  contentType: string;
  observeRequest(request: FinishedRequest): void;
}

/**
 * Metrics of one gateway process. Session figures (`sessions_*`, `approvals_total`, `rejections_total`,
 * `review_waiting_sessions`, `session_phase_longest_seconds`) come from an index of every session's search
 * attributes that each collection brings up to date with what changed in Temporal's visibility, refreshed in the
 * background when a scrape finds them older than `cacheMs`, so they are the namespace's truth on every replica and
 * after restarts and a scrape costs the same at any number of sessions (docs/metrics.md); request
 * metrics and the process defaults are this process's own.
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
  let collectionSeconds = 0;
  let firstCollectionSeconds: number | null = null;
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
  /** The highest figure reported per label set, so the counter never goes down when retention removes sessions. */
  const highestTokens = new Map<string, number>();
  new Counter({
    name: 'model_tokens_total',
    help:
      'Model tokens spent by every session in the namespace (open, or closed within retention), by phase, model and kind ' +
      '(prompt, completion); a phase in progress is counted when it ends or the session pauses',
    labelNames: ['phase', 'model', 'kind'],
    registers: [registry],
    async collect() {
      const current = await stats();
      if (!current) return;
      this.reset();
      for (const total of current.tokenTotals) {
        for (const [kind, value] of [['prompt', total.promptTokens], ['completion', total.completionTokens]] as const) {
          const key = `${total.phase}\u0000${total.model}\u0000${kind}`;
          highestTokens.set(key, Math.max(value, highestTokens.get(key) ?? 0));
        }
      }
      for (const [key, value] of highestTokens) {
        const [phase, model, kind] = key.split('\u0000');
        this.inc({ phase, model, kind }, value);
      }
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
    const fresh = Date.now() - attemptedAt < cacheMs;
    if (fresh && !inFlight) return Promise.resolve(last);
    const refresh = inFlight ?? refreshStats();
    // Before the first figures, a scrape waits for them at most the usual deadline (then answers without them).
    if (!last) return withinTime(refresh, timeoutMs).catch(() => null);
    // Stale figures are served while they are refreshed, unless every scrape must be fresh (cacheMs 0).
    return cacheMs > 0 ? Promise.resolve(last) : refresh;
  };
  const refreshStats = (): Promise<SessionStats | null> => {
    const started = performance.now();
    inFlight = orchestrator
      .withDeadline(last ? timeoutMs : Math.max(timeoutMs, FIRST_COLLECTION_TIMEOUT_MS), () => orchestrator.getSessionStats())
      .then(
        (fresh) => {
          last = fresh;
          up = 1;
          firstCollectionSeconds ??= (performance.now() - started) / 1000;
          for (const run of fresh.finishedPhaseRuns) phaseDuration.observe({ phase: run.phase }, run.seconds);
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
        collectionSeconds = (performance.now() - started) / 1000;
        attemptedAt = Date.now();
        inFlight = null;
      });
    return inFlight;
  };

  // A count derived from visibility drops when retention removes closed sessions; a counter must not go down
  // within a process, so each counter keeps the highest figure it reported (a restart is a counter reset).
  const highest = new Map<Counter, Map<string, number>>();
  /** Report `values` (by label set) on `counter`, each at least the highest it reported before. */
  const setMonotonic = (counter: Counter, values: [Record<string, string>, number][]): void => {
    const seen = highest.get(counter) ?? new Map<string, number>();
    highest.set(counter, seen);
    counter.reset();
    for (const [labels, figure] of values) {
      const value = Math.max(figure, seen.get(JSON.stringify(labels)) ?? 0);
      seen.set(JSON.stringify(labels), value);
      counter.inc(labels, value);
    }
  };
  const fromStats = (pick: (s: SessionStats) => number) =>
    async function (this: Counter | Gauge): Promise<void> {
      const current = await stats();
      if (!current) return;
      if (this instanceof Counter) setMonotonic(this, [[{}, pick(current)]]);
      else this.set(pick(current));
    };
  /** A gauge of sessions over each age bound (the review funnels). */
  const overSecondsGauge = (name: string, help: string, pick: (s: SessionStats) => { overSeconds: number; sessions: number }[]): void => {
    new Gauge({
      name,
      help,
      labelNames: ['over_seconds'],
      registers: [registry],
      async collect() {
        const current = await stats();
        if (current) for (const bucket of pick(current)) this.set({ over_seconds: String(bucket.overSeconds) }, bucket.sessions);
      },
    });
  };

  new Counter({ name: 'sessions_total', help: 'Total number of sessions', registers: [registry], collect: fromStats((s) => s.total) });
  new Gauge({ name: 'sessions_active', help: 'Current active sessions', registers: [registry], collect: fromStats((s) => s.active) });
  new Counter({ name: 'approvals_total', help: 'Total approvals', registers: [registry], collect: fromStats((s) => s.approvals) });
  new Counter({ name: 'rejections_total', help: 'Total rejections', registers: [registry], collect: fromStats((s) => s.rejections) });
  new Counter({
    name: 'rejections_by_target_total',
    help: 'Rejections by the phase they sent the session back to (sessions started before lean sessions not included)',
    labelNames: ['reject_to'],
    registers: [registry],
    async collect() {
      const current = await stats();
      if (current) setMonotonic(this, Object.entries(current.rejectionsByTarget).map(([target, rejections]) => [{ reject_to: target }, rejections]));
    },
  });
  overSecondsGauge(
    'review_waited_sessions',
    'Sessions (open, or closed within retention) that waited for review, over their decided rounds, longer than over_seconds',
    (current) => current.reviewWaited,
  );
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
    name: 'sessions_open_by_phase',
    help: 'Open sessions by current phase',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      const current = await stats();
      if (current) for (const phase of PHASES) this.set({ phase }, current.openByPhase[phase]);
    },
  });
  overSecondsGauge(
    'review_waiting_sessions',
    'Sessions waiting for a review decision now for longer than over_seconds (the review funnel, namespace-wide)',
    (current) => current.waitingForReview,
  );
  new Gauge({
    name: 'sessions_reached_qa',
    help: 'Sessions (open, or closed within retention) that reached QA; with sessions_qa_passed, the QA pass rate',
    registers: [registry],
    collect: fromStats((s) => s.reachedQa),
  });
  new Gauge({ name: 'sessions_qa_passed', help: 'Sessions whose QA passed', registers: [registry], collect: fromStats((s) => s.qaPassed) });
  new Gauge({
    name: 'session_metrics_age_seconds',
    help: 'Age of the session figures this scrape reports (they are refreshed in the background)',
    registers: [registry],
    async collect() {
      const current = await stats();
      this.set(current ? (Date.now() - current.collectedAt.getTime()) / 1000 : -1);
    },
  });
  new Gauge({
    name: 'session_metrics_collection_seconds',
    help: 'How long the last collection of session figures from Temporal took',
    registers: [registry],
    async collect() {
      await stats();
      this.set(collectionSeconds);
    },
  });
  new Gauge({
    name: 'session_metrics_first_collection_seconds',
    help: "How long this process's first collection of session figures took (it lists every session; later ones list what changed)",
    registers: [registry],
    async collect() {
      await stats();
      if (firstCollectionSeconds !== null) this.set(firstCollectionSeconds);
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
  if (options.collectAtStart) void stats();
  return {
    async render() {
      // One pass, so one collection (the first time, waited for up to its deadline) serves every figure.
      const text = await registry.metrics();
      // Whether Temporal could be read is not known before the first attempt ended either.
      if (attemptedAt === 0) return withoutFamilies(text, [...PLAIN_SESSION_FIGURES, 'orchestrator_temporal_up']);
      return last ? text : withoutFamilies(text, PLAIN_SESSION_FIGURES);
    },
    contentType: registry.contentType,
    observeRequest: ({ method, route, status, seconds }) => duration.observe({ method, route, status_code: String(status) }, seconds),
  };
}
