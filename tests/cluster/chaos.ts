/**
 * `npm run chaos`: the long forms of the cluster's fault checks, on one production topology with two fault
 * workers and two gateways. Prints a "Proven here" table row per fault; exits 1 when a session is lost, a log
 * line doubled, a file differs from the workflow's record, a killed attempt left a revision, an iteration count is
 * off, a decision applied other than once, or an outage answer was neither success nor a JSON 503.
 */
import { z } from 'zod';
import { Cluster } from './cluster';
import { totals, type VerdictTotals } from './fault-verdicts';
import { decisionFailover } from './scenarios/decision-failover';
import { postgresRestarts, temporalServerKills } from './scenarios/server-faults';
import { EXPECTED_ITERATIONS, WORKER_KILL_ENV, workerKills } from './scenarios/worker-kills';

const settings = z
  .object({
    CHAOS_WORKER_SESSIONS: z.coerce.number().int().min(1).default(16),
    CHAOS_KILLS_PER_PHASE: z.coerce.number().int().min(1).default(3),
    CHAOS_SERVER_TRIALS: z.coerce.number().int().min(1).default(3),
    CHAOS_POSTGRES_TRIALS: z.coerce.number().int().min(1).default(2),
    CHAOS_POSTGRES_DOWN_SECONDS: z.coerce.number().int().min(1).default(10),
    CHAOS_FAILOVER_TRIALS: z.coerce.number().int().min(1).default(6),
  })
  .parse(process.env);

interface Row {
  fault: string;
  trials: string;
  totals: VerdictTotals;
  notes: string;
}

function failed(t: VerdictTotals): boolean {
  return t.lost > 0 || t.duplicatedLines > 0 || t.artifactMismatches > 0 || t.extraRevisions > 0 || t.wrongIterations > 0;
}

async function main(): Promise<number> {
  const s = settings;
  const cluster = await Cluster.start({ workerEntry: 'fault', workerEnv: WORKER_KILL_ENV });
  console.log(`cluster started in ${cluster.timings.total} ms ${JSON.stringify(cluster.timings)}`);
  const rows: Row[] = [];
  let bad = false;
  try {
    const kills = await workerKills(cluster, { sessions: s.CHAOS_WORKER_SESSIONS, killsPerPhase: s.CHAOS_KILLS_PER_PHASE, timeoutMs: 900_000 });
    const byPhase = kills.kills.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k.phase]: (acc[k.phase] ?? 0) + 1 }), {});
    rows.push({
      fault: 'worker kill -9 mid-phase',
      trials: `${kills.kills.length} kills (${Object.entries(byPhase).map(([p, n]) => `${p} ${n}`).join(', ')}), ${kills.kills.reduce((n, k) => n + k.inFlight.length, 0)} activities cut`,
      totals: totals(kills.verdicts, kills.lost, EXPECTED_ITERATIONS),
      notes: `${(kills.durationMs / 1000).toFixed(0)} s`,
    });
    console.log(`worker kills done: ${JSON.stringify(rows.at(-1))}`);

    const server = await temporalServerKills(cluster, s.CHAOS_SERVER_TRIALS);
    rows.push({
      fault: 'Temporal server kill -9 (mid-phase + in review)',
      trials: `${server.trials} kills`,
      totals: totals(server.verdicts, server.lost, EXPECTED_ITERATIONS),
      notes: `down ${server.outageMs.join('/')} ms; ${(server.durationMs / 1000).toFixed(0)} s`,
    });
    console.log(`server kills done: ${JSON.stringify(rows.at(-1))}`);

    const pg = await postgresRestarts(cluster, { trials: s.CHAOS_POSTGRES_TRIALS, downMs: s.CHAOS_POSTGRES_DOWN_SECONDS * 1000, sessionsPerTrial: 4 });
    rows.push({
      fault: 'PostgreSQL crash + restart under load',
      trials: `${pg.trials} restarts, ${s.CHAOS_POSTGRES_DOWN_SECONDS} s down`,
      totals: totals(pg.verdicts, pg.lost, EXPECTED_ITERATIONS),
      notes: `answers while down ${JSON.stringify(pg.duringOutage)}, bad ${pg.badAnswers.length}; recovered in ${pg.recoveryMs.join('/')} ms`,
    });
    bad ||= pg.badAnswers.length > 0;
    console.log(`postgres restarts done: ${JSON.stringify(rows.at(-1))}`);

    const failover = await decisionFailover(cluster, s.CHAOS_FAILOVER_TRIALS);
    const once = failover.filter((t) => t.approvals === 1 && t.retryStatus === 200).length;
    bad ||= once !== failover.length;
    rows.push({
      fault: 'gateway kill -9 with a decision in flight, retried on the other',
      trials: `${failover.length} trials (${failover.filter((t) => t.admittedBeforeKill).length} provably inside Temporal at the kill)`,
      totals: { sessions: failover.length, lost: 0, duplicatedLines: 0, extraRevisions: 0, artifactMismatches: 0, wrongIterations: 0 },
      notes: `applied exactly once: ${once}/${failover.length}`,
    });
  } finally {
    await cluster.close();
  }

  console.log('\n| Fault | Trials | Sessions | Lost | Duplicated log lines | Files ≠ record | Wrong iterations | Orphan revisions | Notes |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const t = r.totals;
    console.log(`| ${r.fault} | ${r.trials} | ${t.sessions} | ${t.lost} | ${t.duplicatedLines} | ${t.artifactMismatches} | ${t.wrongIterations} | ${t.extraRevisions} | ${r.notes} |`);
    bad ||= failed(t);
  }
  return bad ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
