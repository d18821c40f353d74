/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   gateway replies are read as plain JSON (tests/cluster/http.ts). */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import type { Cluster } from '../cluster';
import { call, startSession, waitForSession } from '../http';

/** One trial: a gateway killed while it forwards an approval; the client retries on the other gateway. */
export interface FailoverTrial {
  sessionId: string;
  /** `admitted`: the workers were paused, so the decision was inside Temporal, unanswered, when the gateway died. */
  mode: 'admitted' | 'racing';
  /** Whether Temporal had the decision before the kill (checked, not assumed, in `admitted` mode). */
  admittedBeforeKill: boolean | null;
  /** Status the dying gateway answered, or null when the connection broke first. */
  victimStatus: number | null;
  retryStatus: number;
  /** A new decision with another key, after the retry: 409 when the first one applied. */
  secondDecisionStatus: number;
  /** Approvals in the session's history: 1 when the decision applied exactly once. */
  approvals: number;
}

async function hasWorkflowTask(address: string, sessionId: string): Promise<boolean> {
  const connection = await Connection.connect({ address });
  try {
    const described = await new Client({ connection, namespace: 'default' }).workflow.getHandle(sessionId).describe();
    return Boolean(described.raw.pendingWorkflowTask);
  } finally {
    await connection.close();
  }
}

/**
 * Wait until the session has (`present`) or has not a workflow task. A session idle in review has none, so one
 * appearing is the decision being delivered (polling the update itself answers "not found" until a worker has
 * accepted it).
 */
async function waitForWorkflowTask(address: string, sessionId: string, present: boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await hasWorkflowTask(address, sessionId)) === present) return true;
    await sleep(50);
  }
  return false;
}

/**
 * `trials` times: a session waits in review; an approval with an Idempotency-Key goes to one gateway, which is
 * killed -9 before it answers; the client sends the same request with the same key to the other gateway. Even
 * trials pause the workers first, so the decision is provably inside Temporal when the gateway dies; odd trials
 * kill after a random 0–40 ms with the workers running (the decision may or may not have left the gateway).
 */
export async function decisionFailover(cluster: Cluster, trials: number): Promise<FailoverTrial[]> {
  const results: FailoverTrial[] = [];
  const pending: string[] = [];
  for (let i = 0; i < trials; i += 1) {
    const victim = cluster.gateways[i % 2]!;
    const survivor = cluster.gateways[(i + 1) % 2]!;
    const sessionId = await startSession(survivor.url, `Failover trial ${i}: build a bookmark manager`);
    await waitForSession(survivor.url, sessionId, (s) => s.status === 'awaiting_approval');
    const key = `failover-${i}-${randomUUID()}`;
    if (!(await waitForWorkflowTask(cluster.temporal.address, sessionId, false, 10_000))) throw new Error(`${sessionId} never went idle in review`);
    const mode = i % 2 === 0 ? 'admitted' : 'racing';
    const request = (base: string): Promise<number | null> =>
      call(base, 'POST', `/sessions/${sessionId}/approve`, { body: { by: `trial-${i}` }, headers: { 'Idempotency-Key': key } }).then(
        (reply) => reply.status,
        () => null,
      );
    let admittedBeforeKill: boolean | null = null;
    let retryStatus: number | null;
    let victimStatus: number | null;
    if (mode === 'admitted') {
      for (const worker of cluster.workers) worker.pause(true);
      try {
        const inFlight = request(victim.url);
        admittedBeforeKill = await waitForWorkflowTask(cluster.temporal.address, sessionId, true, 5_000);
        await victim.process.kill9();
        victimStatus = await inFlight;
        const retry = request(survivor.url);
        await sleep(200);
        for (const worker of cluster.workers) worker.pause(false);
        retryStatus = await retry;
      } finally {
        for (const worker of cluster.workers) worker.pause(false);
      }
    } else {
      const inFlight = request(victim.url);
      await sleep(Math.floor(Math.random() * 40));
      await victim.process.kill9();
      victimStatus = await inFlight;
      retryStatus = await request(survivor.url);
    }
    const second = await call(survivor.url, 'POST', `/sessions/${sessionId}/approve`, { headers: { 'Idempotency-Key': `${key}-other` } });
    const history = await call(survivor.url, 'GET', `/sessions/${sessionId}/history`);
    const approvals = ((history.json?.decisions ?? []) as { decision: string }[]).filter((d) => d.decision === 'approve').length;
    results.push({ sessionId, mode, admittedBeforeKill, victimStatus, retryStatus: retryStatus ?? 0, secondDecisionStatus: second.status, approvals });
    pending.push(sessionId);
    await cluster.restartGateway(victim);
  }
  for (const id of pending) await waitForSession(cluster.gateways[0]!.url, id, (s) => s.status === 'completed', 120_000);
  return results;
}
