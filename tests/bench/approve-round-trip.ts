/**
 * Benchmark: the approve round trip through the gateway (POST /sessions/{id}/approve until its 200), one at a time,
 * over sessions waiting in review, on a real in-memory dev server and one worker. The engineer and QA are no-ops
 * so that what follows an approval does not load the machine while the next one is timed. Prints figures; not part
 * of `npm test`.
 *   npm run build && node dist/tests/bench/approve-round-trip.js [approvals=50] [--round]
 */
import { GatewayHarness } from '../gateway/gateway-harness';
import { samples as percentiles } from './bench-kit';
import { noopActivities } from './noop-agents';

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 50);
  /** `--round`: send the review round, as the dashboard does (the gateway before review rounds refuses the field). */
  const withRound = process.argv.includes('--round');
  const noop = noopActivities();
  const gw = await GatewayHarness.start({ config: { maxActiveSessions: 10_000 }, activities: { engineer: (input) => noop.engineer(input), qa: (input) => noop.qa(input) } });
  const samples: number[] = [];
  try {
    const ids: string[] = [];
    for (let i = 0; i < runs; i += 1) ids.push(await gw.orchestrator.startNewSession(`Benchmark mission ${i}`));
    for (const id of ids) await gw.waitForStatus(id, 'awaiting_approval', 60_000);
    for (const id of ids) {
      const started = performance.now();
      const response = await fetch(`${gw.baseUrl}/sessions/${id}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(withRound ? { by: 'bench', review_round: 1 } : { by: 'bench' }),
      });
      await response.text();
      samples.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`approve answered ${response.status}`);
    }
  } finally {
    await gw.close();
  }
  const figures = percentiles(samples);
  console.log(`approve round trip through the gateway over ${runs} sessions, one at a time${withRound ? ', naming the review round' : ''}:`);
  console.log(`  p50 ${figures.p50} ms  p99 ${figures.p99} ms  (n ${figures.n})`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
