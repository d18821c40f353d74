/**
 * Temporal calls a gateway makes for one session while 0, 1 and 100 viewers follow its event stream: the gateway's
 * connection counts every gRPC call it sends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { progress, round } from './bench-kit';

/** A connection that counts the calls sent on it. */
export async function countingConnection(address: string): Promise<{ connection: Connection; calls: () => number }> {
  let calls = 0;
  const count: Interceptor = (options, next) => {
    calls += 1;
    return new InterceptingCall(next(options));
  };
  const connection = await Connection.connect({ address, interceptors: [count] });
  return { connection, calls: () => calls };
}

/** Open `viewers` event streams of a session; resolves once each has its first bytes, returns a closer. */
async function openViewers(url: string, viewers: number): Promise<() => Promise<void>> {
  const abort = new AbortController();
  const readers = await Promise.all(
    Array.from({ length: viewers }, async () => {
      const response = await fetch(url, { signal: abort.signal });
      if (response.status !== 200 || !response.body) throw new Error(`event stream answered ${response.status}`);
      const reader = response.body.getReader();
      await reader.read();
      const drain: Promise<void> = (async () => {
        for (;;) if ((await reader.read()).done) return;
      })().catch(() => undefined);
      return { drain };
    }),
  );
  return async () => {
    abort.abort();
    await Promise.all(readers.map((reader) => reader.drain));
  };
}

/** Temporal calls per second of the gateway behind `base` for 0, 1 and 100 viewers of `sessionId`. */
export async function sseViewers(base: string, sessionId: string, calls: () => number, windowMs: number): Promise<Record<'none' | 'one' | 'hundred', number>> {
  const url = `${base}/sessions/${sessionId}/events`;
  const rate = async (viewers: number): Promise<number> => {
    const close = viewers > 0 ? await openViewers(url, viewers) : () => Promise.resolve();
    await sleep(500);
    const before = calls();
    await sleep(windowMs);
    const perSecond = ((calls() - before) * 1000) / windowMs;
    await close();
    await sleep(500);
    progress(`SSE: ${viewers} viewer(s): ${round(perSecond)} Temporal calls/s`);
    return round(perSecond);
  };
  return { none: await rate(0), one: await rate(1), hundred: await rate(100) };
}
