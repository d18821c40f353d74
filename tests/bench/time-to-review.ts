/**
 * Benchmark: wall time from `startNewSession` to `awaiting_approval` with the template agents, on a real
 * in-memory dev server and one worker. Prints figures; not part of `npm test`.
 *   npm run build && node dist/tests/bench/time-to-review.js [sessions=20]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { SessionHarness } from '../helpers/session-harness';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 20);
  const harness = await SessionHarness.start({ config: { maxActiveSessions: 10_000 } });
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now();
      const id = await harness.orchestrator.startNewSession(`Benchmark mission ${i}`);
      while ((await harness.orchestrator.getSessionStatus(id)).status !== SessionStatus.AWAITING_APPROVAL) await sleep(5);
      samples.push(performance.now() - started);
      await harness.orchestrator.cancelSession(id);
    }
  } finally {
    await harness.close();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;
  console.log(`startNewSession → awaiting_approval over ${runs} sessions (template agents, polling every 5 ms):`);
  console.log(`  p50 ${fmt(percentile(sorted, 50))}  p95 ${fmt(percentile(sorted, 95))}  min ${fmt(sorted[0] ?? NaN)}  max ${fmt(sorted.at(-1) ?? NaN)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
