/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument --
   gateway replies are read as plain JSON (tests/cluster/http.ts). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from '../cluster';
import type { FaultEvent } from '../fault-worker';
import { call, FINAL, startSession, waitForSession } from '../http';
import { judgeSession, type SessionVerdict } from '../session-check';

/** How the sessions of a server fault ended. */
export interface ServerFaultReport {
  trials: number;
  sessions: number;
  lost: string[];
  verdicts: SessionVerdict[];
  /** From the kill (or crash) to the server accepting connections again, per trial, in ms. */
  outageMs: number[];
  durationMs: number;
}

/** Resolves once some worker reports an activity of `sessionId` started and not finished (it is mid-phase). */
async function waitUntilMidPhase(cluster: Cluster, sessionId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const worker of cluster.workers) {
      const events = worker.currentOutput.split('\n').filter((l) => l.startsWith('{"fault"')).map((l) => JSON.parse(l) as FaultEvent);
      const mine = events.filter((e) => e.sessionId === sessionId);
      if (mine.length > 0 && mine.at(-1)!.fault === 'started') return;
    }
    await sleep(100);
  }
  throw new Error(`${sessionId} never had an activity in flight`);
}

/** Approve `id` through either gateway, retrying while they answer 503 (the cluster is coming back). */
async function approveEventually(cluster: Cluster, id: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline; i += 1) {
    const reply = await call(cluster.gateways[i % 2]!.url, 'POST', `/sessions/${id}/approve`, { headers: { 'Idempotency-Key': `approve-${id}` } }).catch(() => null);
    if (reply?.status === 200) return;
    if (reply && reply.status !== 503) throw new Error(`approve ${id}: ${reply.status} ${reply.text}`);
    await sleep(500);
  }
  throw new Error(`approve ${id}: no 200 within ${timeoutMs} ms`);
}

async function finish(cluster: Cluster, ids: string[], toApprove: string[], timeoutMs: number): Promise<{ lost: string[]; verdicts: SessionVerdict[] }> {
  for (const id of toApprove) await approveEventually(cluster, id);
  const lost: string[] = [];
  for (const id of ids) {
    await waitForSession(cluster.gateways[0]!.url, id, (s) => s.status === 'awaiting_approval' || FINAL.includes(s.status), timeoutMs).catch(() => lost.push(id));
    const now = await call(cluster.gateways[0]!.url, 'GET', `/sessions/${id}`);
    if (now.json?.status === 'awaiting_approval') await approveEventually(cluster, id);
    await waitForSession(cluster.gateways[0]!.url, id, (s) => FINAL.includes(s.status), timeoutMs).catch(() => lost.includes(id) || lost.push(id));
  }
  const verdicts = await Promise.all(ids.map((id) => judgeSession(cluster.gateways[1]!.url, id)));
  for (const v of verdicts) if (v.status !== 'completed' && !lost.includes(v.sessionId)) lost.push(v.sessionId);
  return { lost, verdicts };
}

/**
 * `trials` times: one session mid-phase (its activity pausing after its work) and one waiting in review; kill -9
 * the Temporal server, start it again on the same database and ports; approve the one in review. Every session
 * must then complete.
 */
export async function temporalServerKills(cluster: Cluster, trials: number): Promise<ServerFaultReport> {
  const started = Date.now();
  const ids: string[] = [];
  const toApprove: string[] = [];
  const outageMs: number[] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    const inReview = await startSession(cluster.gateways[0]!.url, `Server-kill trial ${trial}: build a quiz app (review)`);
    await waitForSession(cluster.gateways[1]!.url, inReview, (s) => s.status === 'awaiting_approval');
    const midPhase = await startSession(cluster.gateways[1]!.url, `Server-kill trial ${trial}: build a quiz app (mid-phase)`);
    ids.push(inReview, midPhase);
    toApprove.push(inReview);
    await waitUntilMidPhase(cluster, midPhase);
    const killedAt = Date.now();
    await cluster.temporal.kill9();
    await sleep(1_000);
    await cluster.temporal.start();
    outageMs.push(Date.now() - killedAt);
  }
  const { lost, verdicts } = await finish(cluster, ids, toApprove, 240_000);
  return { trials, sessions: ids.length, lost, verdicts, outageMs, durationMs: Date.now() - started };
}

/** Answers the gateways gave while PostgreSQL was down and after. */
export interface PostgresRestartReport extends ServerFaultReport {
  /** Status code → count, for reads and starts sent while the database was down (answered then or after). */
  duringOutage: Record<string, number>;
  /** Answers during the outage that were neither 200/201 nor 503 with a JSON error body. */
  badAnswers: string[];
  /** Per gateway, from the database's restart to its first 200 on a read, in ms. */
  recoveryMs: number[];
  /** Sessions started (with an Idempotency-Key) during the outage, retried until 201 once it was over. */
  startedDuringOutage: number;
}

/**
 * `trials` times, under load (sessions in flight, reads every 50 ms through both gateways): crash PostgreSQL
 * (immediate shutdown), keep it down for `downMs`, start it again on the same data. Reads and starts during the
 * outage must answer 200/201 or 503 with a JSON body, never anything else; starts that got 503 are retried with
 * the same Idempotency-Key after; every session must complete.
 */
export async function postgresRestarts(cluster: Cluster, options: { trials: number; downMs: number; sessionsPerTrial: number }): Promise<PostgresRestartReport> {
  const started = Date.now();
  const ids: string[] = [];
  const duringOutage: Record<string, number> = {};
  const badAnswers: string[] = [];
  const recoveryMs: number[] = [];
  const outageMs: number[] = [];
  const keys: string[] = [];
  for (let trial = 0; trial < options.trials; trial += 1) {
    for (let i = 0; i < options.sessionsPerTrial; i += 1) ids.push(await startSession(cluster.gateways[i % 2]!.url, `Postgres trial ${trial}.${i}: build a weather dashboard`));
    await sleep(1_500);
    const crashedAt = Date.now();
    await cluster.postgres.crash();
    let outage = true;
    const reads = (async () => {
      for (let n = 0; outage; n += 1) {
        const gateway = cluster.gateways[n % 2]!.url;
        const isStart = n % 10 === 0;
        const key = `pg-outage-${trial}-${n}`;
        const reply = await (isStart
          ? call(gateway, 'POST', '/sessions', { body: { user_mission: `Started during outage ${key}` }, headers: { 'Idempotency-Key': key }, timeoutMs: 15_000 })
          : call(gateway, 'GET', `/sessions/${ids[n % ids.length]}`, { timeoutMs: 15_000 })
        ).catch((err: unknown) => ({ status: 0, text: String(err), json: null }));
        // Counted even when the answer comes after the restart: the request met the outage.
        duringOutage[reply.status] = (duringOutage[reply.status] ?? 0) + 1;
        const okStatus = isStart ? [201, 503] : [200, 503];
        if (!okStatus.includes(reply.status) || (reply.status === 503 && typeof reply.json?.error?.code !== 'string')) badAnswers.push(`${reply.status} ${reply.text.slice(0, 200)}`);
        if (isStart) keys.push(key);
        await sleep(50);
      }
    })();
    await sleep(options.downMs);
    await cluster.postgres.start();
    outage = false;
    await reads;
    const restartedAt = Date.now();
    outageMs.push(restartedAt - crashedAt);
    for (const gateway of cluster.gateways) {
      for (;;) {
        const reply = await call(gateway.url, 'GET', `/sessions/${ids[0]}`).catch(() => null);
        if (reply?.status === 200) break;
        if (Date.now() - restartedAt > 120_000) throw new Error(`${gateway.url} did not recover within 120 s`);
        await sleep(100);
      }
      recoveryMs.push(Date.now() - restartedAt);
    }
  }
  for (const key of keys) {
    for (let i = 0; ; i += 1) {
      const reply = await call(cluster.gateways[i % 2]!.url, 'POST', '/sessions', { body: { user_mission: `Started during outage ${key}` }, headers: { 'Idempotency-Key': key } });
      if (reply.status === 201) {
        if (!ids.includes(reply.json.session_id)) ids.push(reply.json.session_id);
        break;
      }
      if (reply.status !== 503 || i > 100) throw new Error(`start ${key}: ${reply.status} ${reply.text}`);
      await sleep(500);
    }
  }
  const { lost, verdicts } = await finish(cluster, ids, [], 240_000);
  return { trials: options.trials, sessions: ids.length, lost, verdicts, outageMs, durationMs: Date.now() - started, duringOutage, badAnswers, recoveryMs, startedDuringOutage: keys.length };
}
