/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any --
   replies are the gateway's JSON, read by the tests as plain data. */
import { setTimeout as sleep } from 'node:timers/promises';

/** A gateway reply. */
export interface Reply {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

/** One HTTP call to a gateway (JSON in, JSON or text out). */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  return { status: response.status, text, json: parseJson(text), headers: response.headers };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Start a session through `base`; fails unless the gateway answers 201. */
export async function startSession(base: string, mission: string, headers: Record<string, string> = {}): Promise<string> {
  const reply = await call(base, 'POST', '/sessions', { body: { user_mission: mission }, headers });
  if (reply.status !== 201) throw new Error(`start answered ${reply.status}: ${reply.text}`);
  return reply.json.session_id as string;
}

/** Poll a session through `base` until `predicate` holds; fails with the last reply after `timeoutMs`. */
export async function waitForSession(base: string, id: string, predicate: (session: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: Reply | null = null;
  while (Date.now() < deadline) {
    last = await call(base, 'GET', `/sessions/${id}`).catch(() => null);
    if (last?.status === 200 && predicate(last.json)) return last.json;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${id}; last reply ${last ? `${last.status} ${last.text}` : 'none'}`);
}

/** Statuses a session never leaves. */
export const FINAL = ['completed', 'failed', 'expired', 'cancelled'];
