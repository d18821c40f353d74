/** Small helpers of the benchmark: samples, percentiles, a progress line, process memory, HTTP. */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Percentiles of a set of samples, in milliseconds. */
export interface Samples {
  p50: number;
  p99: number;
  n: number;
}

/** p50 and p99 (nearest rank) of `values`. */
export function samples(values: readonly number[]): Samples {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { p50: round(at(0.5)), p99: round(at(0.99)), n: sorted.length };
}

/** Two decimals. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Milliseconds `fn` took, and its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
}

const startedAt = Date.now();

/** One progress line on stderr (the figures go to stdout). */
export function progress(message: string): void {
  process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(5)} s] ${message}\n`);
}

/** Resident set size of a process, in MB (Linux /proc), or NaN when it is gone. */
export async function rssMb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return round(kb / 1024);
  } catch {
    return NaN;
  }
}

/** Pids of a process's direct children (Linux /proc). */
export async function childPids(pid: number): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const children: number[] = [];
  for (const task of tasks) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    children.push(...text.split(/\s+/).filter(Boolean).map(Number));
  }
  return children;
}

/** An HTTP answer: status, text and parsed JSON (when it is JSON). */
export interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown> | null;
}

/**
 * Kept-alive connections for every request of the benchmark. It runs in the process it measures (workers, gateway,
 * client), so the client is node's own HTTP, not `fetch`, whose per-request cost here (about 0.3 ms warm, more cold)
 * would be counted against the gateway.
 */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One HTTP request with an optional JSON body. A kept-alive connection the server closed as idle (its 5 s keep-alive
 * timeout) just as the request went out is reset before anything was read: that request is sent once more on a
 * fresh connection, as node's documentation advises.
 */
export async function http(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  try {
    return await httpOnce(method, url, body, headers);
  } catch (err) {
    if (!(err instanceof ResetOnReusedSocket)) throw err;
    return httpOnce(method, url, body, headers);
  }
}

class ResetOnReusedSocket extends Error {}

function httpOnce(method: string, url: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const data = body === undefined ? null : JSON.stringify(body);
  const sent = data === null ? headers : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)), ...headers };
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, agent: keepAlive, headers: sent }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        let json: Record<string, unknown> | null = null;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON (metrics, logs)
        }
        resolve({ status: incoming.statusCode ?? 0, text, json });
      });
    });
    outgoing.on('error', (err: NodeJS.ErrnoException) => reject(outgoing.reusedSocket && err.code === 'ECONNRESET' ? new ResetOnReusedSocket(err.message) : err));
    outgoing.end(data ?? undefined);
  });
}

/** Poll `check` every `everyMs` until it returns a value, or fail after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | null | undefined>, timeoutMs = 120_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Run `fn` for 0..count-1, at most `concurrency` at a time. */
export async function pool(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next;
      next += 1;
      await fn(i);
    }
  });
  await Promise.all(lanes);
}

/**
 * A decision through the gateway, repeated with the same Idempotency-Key while it answers 503 (no worker confirmed
 * it in time: on a loaded machine that happens, and the API says a retry is safe).
 */
export async function decideSafely(url: string, body: unknown): Promise<Answer> {
  const key = `bench-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  for (let attempt = 1; ; attempt += 1) {
    const answer = await http('POST', url, body, { 'idempotency-key': key });
    if (answer.status !== 503 || attempt >= 10) return answer;
    progress(`${url}: 503 (${String((answer.json?.error as { code?: string } | undefined)?.code)}), retrying with the same key`);
  }
}
