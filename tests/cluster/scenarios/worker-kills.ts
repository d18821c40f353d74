/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   gateway replies are read as plain JSON (tests/cluster/http.ts). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentPhase } from '../../../workflows/definitions';
import type { Cluster } from '../cluster';
import type { FaultEvent } from '../fault-worker';
import { call, startSession } from '../http';
import type { ManagedProcess } from '../managed-process';
import { QA_FAILS_FIRST_ITERATION } from '../qa-command';
import { judgeSession, type SessionVerdict } from '../session-check';

/** Worker settings for this scenario: every phase pauses after its work; QA fails once per session. */
export const WORKER_KILL_ENV = {
  FAULT_PAUSE_MS: 'pm=2500,architect=2500,engineer=2500,qa=2500',
  QA_TEST_COMMAND: QA_FAILS_FIRST_ITERATION,
} as const;
/** Iterations each session ends with under {@link WORKER_KILL_ENV}: one QA failure. */
export const EXPECTED_ITERATIONS = 1;

const PHASES: readonly AgentPhase[] = ['pm', 'architect', 'engineer', 'qa'];

/** One kill -9: which worker, while which activities were mid-phase. */
export interface WorkerKill {
  phase: AgentPhase;
  worker: string;
  /** Every activity the worker held when it died (the phase's own and any others). */
  inFlight: { phase: AgentPhase; sessionId: string; attempt: number }[];
}

/** What the scenario measured. */
export interface WorkerKillReport {
  kills: WorkerKill[];
  sessions: number;
  completed: number;
  lost: string[];
  verdicts: SessionVerdict[];
  durationMs: number;
}

/** Activities a worker has started and not finished, with how long ago each was first seen. */
function inFlight(worker: ManagedProcess, firstSeen: Map<string, number>): (FaultEvent & { ageMs: number })[] {
  const open = new Map<string, FaultEvent>();
  for (const line of worker.currentOutput.split('\n')) {
    if (!line.startsWith('{"fault"')) continue;
    const event = JSON.parse(line) as FaultEvent;
    const key = `${event.pid}:${event.sessionId}:${event.phase}:${event.attempt}`;
    if (event.fault === 'started') open.set(key, event);
    else open.delete(key);
  }
  const now = Date.now();
  return [...open.entries()].map(([key, event]) => {
    if (!firstSeen.has(key)) firstSeen.set(key, now);
    return { ...event, ageMs: now - firstSeen.get(key)! };
  });
}

/**
 * Start `sessions` sessions two seconds apart (approving each as it reaches review) and, whenever a worker holds
 * an activity of a phase that still needs kills and that has done its work (in its pause for at least a second),
 * kill -9 that worker and start it again, until every phase had `killsPerPhase` kills. Temporal retries the dead
 * worker's activities after their heartbeat timeout. Then every session must complete, and is judged.
 */
export async function workerKills(cluster: Cluster, options: { sessions: number; killsPerPhase: number; timeoutMs?: number }): Promise<WorkerKillReport> {
  const started = Date.now();
  const ids: string[] = [];
  const kills: WorkerKill[] = [];
  const needed = new Map(PHASES.map((phase) => [phase, options.killsPerPhase]));
  const firstSeen = new Map<string, number>();
  const approved = new Set<string>();
  let nextStart = 0;
  const deadline = started + (options.timeoutMs ?? 600_000);

  while ([...needed.values()].some((n) => n > 0) && Date.now() < deadline) {
    if (ids.length < options.sessions && Date.now() >= nextStart) {
      ids.push(await startSession(cluster.gateways[ids.length % 2]!.url, `Worker-kill session ${ids.length}: build a habit tracker`));
      nextStart = Date.now() + 2_000;
    }
    await approveWaiting(cluster, ids, approved);
    for (const worker of cluster.workers) {
      const held = inFlight(worker, firstSeen);
      const target = held.find((a) => (needed.get(a.phase) ?? 0) > 0 && a.ageMs >= 1_000);
      if (!target) continue;
      await worker.kill9();
      kills.push({ phase: target.phase, worker: worker.spec.name, inFlight: held.map(({ phase, sessionId, attempt }) => ({ phase, sessionId, attempt })) });
      needed.set(target.phase, needed.get(target.phase)! - 1);
      await cluster.restartWorker(worker);
    }
    await sleep(100);
  }
  while (ids.length < options.sessions) ids.push(await startSession(cluster.gateways[ids.length % 2]!.url, `Worker-kill session ${ids.length}: build a habit tracker`));

  const lost: string[] = [];
  for (;;) {
    await approveWaiting(cluster, ids, approved);
    const states = await Promise.all(ids.map((id) => call(cluster.gateways[0]!.url, 'GET', `/sessions/${id}`).then((r) => String(r.json?.status), () => 'unreachable')));
    if (states.every((s) => s === 'completed' || s === 'failed' || s === 'cancelled' || s === 'expired')) break;
    if (Date.now() > deadline) {
      lost.push(...ids.filter((_, i) => states[i] !== 'completed'));
      break;
    }
    await sleep(500);
  }
  const verdicts = await Promise.all(ids.map((id) => judgeSession(cluster.gateways[1]!.url, id)));
  for (const verdict of verdicts) if (verdict.status !== 'completed' && !lost.includes(verdict.sessionId)) lost.push(verdict.sessionId);
  return { kills, sessions: ids.length, completed: verdicts.filter((v) => v.status === 'completed').length, lost, verdicts, durationMs: Date.now() - started };
}

async function approveWaiting(cluster: Cluster, ids: string[], approved: Set<string>): Promise<void> {
  for (const [i, id] of ids.entries()) {
    if (approved.has(id)) continue;
    const reply = await call(cluster.gateways[i % 2]!.url, 'GET', `/sessions/${id}`).catch(() => null);
    if (reply?.json?.status !== 'awaiting_approval') continue;
    const decision = await call(cluster.gateways[(i + 1) % 2]!.url, 'POST', `/sessions/${id}/approve`, { headers: { 'Idempotency-Key': `approve-${id}` } }).catch(() => null);
    if (decision?.status === 200) approved.add(id);
  }
}
