/** The goals of issue 13 beside the figures of one run. */
import type { Samples } from './bench-kit';
import type { GoalRow } from './report';
import type { ScaleFigures, SeedReport } from './scale';

/** Everything one run measured (also the raw JSON). */
export interface BenchFigures {
  quick: boolean;
  /** Sessions per second, by lane (bare, noop, template) and concurrency. */
  throughput: Record<string, Record<number, number>>;
  /** Start → review at the lowest concurrency, by lane. */
  startToReview: Record<string, Samples>;
  roundTrips: Partial<Record<'approveGateway' | 'approveApi' | 'approveBare' | 'rejectGateway' | 'rejectApi', Samples>>;
  reads: { gateway: Samples; direct: Samples } | null;
  /** Temporal calls per second of the gateway, by number of viewers of one session. */
  sse: Record<'none' | 'one' | 'hundred', number> | null;
  seeding: SeedReport[];
  scale: ScaleFigures[];
  /** Start-up with the workflow bundle built beforehand (WORKFLOW_BUNDLE_PATH), on the largest database. */
  startupPrebuiltSeconds?: number;
}

const ms = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? '—' : `${value.toFixed(1)} ms`);
const ratio = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined || b === 0 ? null : a / b);
const fixed = (value: number | null, digits = 2): string => (value === null ? '—' : value.toFixed(digits));

/** The goals table and the detail tables. */
export function goalsOf(f: BenchFigures): { goals: GoalRow[]; details: string[] } {
  const small = f.scale[0];
  const large = f.scale.at(-1);
  const listRatio = ratio(large?.list.p50, small?.list.p50);
  const at20 = (lane: string): number | undefined => f.throughput[lane]?.[20] ?? Object.values(f.throughput[lane] ?? {}).at(-1);
  const [api20, noop20, bare20] = [at20('noop-api'), at20('noop'), at20('bare')];
  const speed = ratio(api20, bare20);
  const gatewaySpeed = ratio(noop20, bare20);
  const approve = ratio(f.roundTrips.approveGateway?.p50, f.roundTrips.approveBare?.p50);
  const sseExtra = f.sse ? { one: f.sse.one - f.sse.none, hundred: f.sse.hundred - f.sse.none } : null;
  const goals: GoalRow[] = [
    {
      figure: `\`GET /sessions?limit=100\` p50, ${large?.sessions ?? '—'} sessions waiting`,
      measured: `${ms(large?.list.p50)} (${fixed(listRatio)} × the ${small?.sessions ?? '—'} figure, ${ms(small?.list.p50)}); ${large?.listErrors ?? '—'} non-200`,
      goal: '≤ 50 ms and ≤ 1.25 ×',
      met: large && listRatio !== null ? large.list.p50 <= 50 && listRatio <= 1.25 && large.listErrors === 0 : null,
    },
    {
      figure: `\`/metrics\` scrape, ${large?.sessions ?? '—'} sessions (collection's own time)`,
      measured: `${ms(large?.metrics.p50)} p50 (collection ${ms(large?.collectionMs)}, the first one, listing every session, ${ms(large?.firstCollectionMs)}, started with the process; first scrape after it ${ms(large?.metricsFirstMs)}); sessions_total ${large?.sessionsTotal ?? '—'}`,
      goal: '≤ 50 ms',
      met: large ? large.metrics.p50 <= 50 && large.collectionMs <= 50 : null,
    },
    {
      figure: '100 SSE viewers on one session: Temporal calls/s for it',
      measured: sseExtra ? `${fixed(sseExtra.hundred)} /s (one viewer: ${fixed(sseExtra.one)} /s; idle gateway ${fixed(f.sse?.none ?? null)} /s subtracted)` : '—',
      goal: 'no higher than with one viewer',
      met: sseExtra ? sseExtra.hundred <= sseExtra.one * 1.1 + 0.5 : null,
    },
    {
      figure: `worker and gateway RSS, ${large?.sessions ?? '—'} sessions waiting`,
      measured: large
        ? `seeding worker ${f.seeding.at(-1)?.reused ? 'not measured (database reused)' : `${f.seeding.at(-1)?.workerRssMb ?? '—'} MB`}; \`npm start\` process (worker + gateway) ${large.mainRssMb} MB; dev server ${large.devServerRssMb} MB`
        : '—',
      goal: '≤ 500 MB each',
      met: large ? large.mainRssMb <= 500 && !((f.seeding.at(-1)?.workerRssMb ?? 0) > 500) : null,
    },
    {
      figure: 'sessions/s, 20 at a time, no-op agents (TS API, as the bare client) ÷ bare workflow',
      measured: `${fixed(speed)} (${api20 ?? '—'} vs ${bare20 ?? '—'} /s); through the gateway and its event stream ${fixed(gatewaySpeed)} (${noop20 ?? '—'} /s)`,
      goal: '≥ 0.8',
      met: speed === null ? null : speed >= 0.8,
    },
    {
      figure: 'approve round trip p50, gateway ÷ bare update (one at a time)',
      measured: `${fixed(approve)} (${ms(f.roundTrips.approveGateway?.p50)} vs ${ms(f.roundTrips.approveBare?.p50)})`,
      goal: '≤ 1.5',
      met: approve === null ? null : approve <= 1.5,
    },
    {
      figure: 'spawn `node dist/src/main.js` on an existing database → first `/readyz` 200',
      measured: large ? `${large.startupSeconds.toFixed(2)} s${f.startupPrebuiltSeconds === undefined ? '' : ` (with WORKFLOW_BUNDLE_PATH: ${f.startupPrebuiltSeconds.toFixed(2)} s)`}` : '—',
      goal: '≤ 5 s',
      met: large ? large.startupSeconds <= 5 : null,
    },
  ];
  const lanes = Object.keys(f.throughput);
  const levels = [...new Set(lanes.flatMap((lane) => Object.keys(f.throughput[lane] ?? {})))].map(Number).sort((a, b) => a - b);
  const trip = (name: string, s: Samples | undefined): string => `| ${name} | ${ms(s?.p50)} | ${ms(s?.p99)} | ${s?.n ?? '—'} |`;
  const details = [
    '## Sessions per second (same server, same run)',
    '',
    `| lane | ${levels.map((c) => `${c} at a time`).join(' | ')} | start → review p50 / p99 (${levels[0] ?? '—'} at a time) |`,
    `|---|${levels.map(() => '---|').join('')}---|`,
    ...lanes.map((lane) => `| ${lane} | ${levels.map((c) => String(f.throughput[lane]?.[c] ?? '—')).join(' | ')} | ${ms(f.startToReview[lane]?.p50)} / ${ms(f.startToReview[lane]?.p99)} |`),
    '',
    'Lanes: `bare` is two no-op activities, an approval update with a validator, two no-op activities; `noop-api` is',
    'the session workflow with agents that return at once, driven through the TypeScript API as the bare client drives',
    'its workflow (start, approve tried every 25 ms until taken, wait on the result): orchestration alone; `noop` is the',
    'session workflow with agents that return at once, through the gateway (REST start, then its event stream `GET /sessions/{id}/events` until review and again until the end, approve in between; as a REST client follows a session); `template`',
    'the same with the default template agents (their child processes included).',
    '',
    '## Decision round trips, one at a time',
    '',
    '| path | p50 | p99 | n |',
    '|---|---|---|---|',
    trip('approve through the gateway', f.roundTrips.approveGateway),
    trip('approve through the TS API', f.roundTrips.approveApi),
    trip('bare workflow update', f.roundTrips.approveBare),
    trip('reject through the gateway', f.roundTrips.rejectGateway),
    trip('reject through the TS API', f.roundTrips.rejectApi),
    '',
    'The paths take turns, one sample each, after three warm-up rounds; each decision is timed once what the previous',
    'one set going (an engineer and QA, or a PM and architect) has run to its end, so neither that work nor the order',
    "of the paths weighs on another path's figure. HTTP goes through node's own client with kept-alive connections.",
    '',
    '## Reads',
    '',
    `\`GET /sessions/{id}\` through the gateway p50 ${ms(f.reads?.gateway.p50)} (p99 ${ms(f.reads?.gateway.p99)}) vs a direct describe ${ms(f.reads?.direct.p50)} (p99 ${ms(f.reads?.direct.p99)}): ${fixed(ratio(f.reads?.gateway.p50, f.reads?.direct.p50))} ×.`,
    '',
    `SSE: the gateway's Temporal calls per second with no viewer ${fixed(f.sse?.none ?? null)}, one viewer ${fixed(f.sse?.one ?? null)}, 100 viewers ${fixed(f.sse?.hundred ?? null)}.`,
    '',
    '## Sessions waiting in review',
    '',
    '| sessions | seeding | list p50 / p99 | `status=awaiting_approval` p50 | `/metrics` p50 (first) | collection | `npm start` RSS | dev server RSS | start-up |',
    '|---|---|---|---|---|---|---|---|---|',
    ...f.scale.map((s, i) => {
      const seeded = f.seeding[i];
      const seeding = seeded ? (seeded.reused ? 'reused' : `${seeded.seedSeconds} s (worker ${seeded.workerRssMb} MB)`) : '—';
      return `| ${s.sessions} | ${seeding} | ${ms(s.list.p50)} / ${ms(s.list.p99)} | ${ms(s.listAwaiting.p50)} | ${ms(s.metrics.p50)} (${ms(s.metricsFirstMs)}) | ${ms(s.collectionMs)} | ${s.mainRssMb} MB | ${s.devServerRssMb} MB | ${s.startupSeconds.toFixed(2)} s |`;
    }),
    '',
    'Seeding starts the missing sessions 50 at a time with no-op agents on a worker process of its own (its RSS is read',
    'once all wait in review); a database seeded by an earlier run is reused (`--data DIR`, default',
    '`$TMPDIR/orchestrator-bench`), and the larger one starts as a copy of the smaller.',
  ];
  return { goals, details };
}
