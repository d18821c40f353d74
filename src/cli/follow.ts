/** `watch` and `logs --follow`: the gateway has no event stream, so both poll it. */
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, ExitCode, type ExitCodeValue } from './exit-codes';
import type { GatewayClient } from './gateway-client';
import type { Output } from './output';
import { duration, nextSteps, shortTime, stateLine } from './render';
import { FINAL_STATUSES, type Status, UNSUCCESSFUL_STATUSES } from './vocabulary';
import type { SessionJson } from '../gateway/wire';

/** What a polling command needs. */
export interface FollowContext {
  client: GatewayClient;
  out: Output;
  json: boolean;
  /** Time between two polls, in milliseconds. */
  intervalMs: number;
  /** How long the gateway may stay unreachable before the command gives up. @default 30000 */
  unreachableGraceMs?: number;
}

const isFinal = (status: string): boolean => FINAL_STATUSES.includes(status as Status);

/**
 * Print the session's state, then one line each time its status, phase or iteration changes, until it needs
 * review or ends. Exit code: OK in review or completed, SESSION_UNSUCCESSFUL when failed, expired or cancelled.
 */
export async function watchSession(ctx: FollowContext, id: string): Promise<ExitCodeValue> {
  const path = `/sessions/${encodeURIComponent(id)}`;
  let lastKey = '';
  let since = Date.now();
  for (;;) {
    const session = await poll(ctx, () => ctx.client.json<SessionJson>('GET', path));
    const key = `${session.status}|${session.current_phase}|${session.iteration_count}|${session.qa_passed}`;
    const ended = session.status === 'awaiting_approval' || isFinal(session.status);
    if (ended) ctx.out.done();
    if (key !== lastKey) {
      lastKey = key;
      since = Date.now();
      ctx.out.line(ctx.json ? JSON.stringify(session) : `${shortTime(new Date().toISOString())}  ${session.session_id}  ${stateLine(session)}`);
    }
    if (ended) {
      if (!ctx.json) for (const step of nextSteps(session)) ctx.out.line(step);
      return UNSUCCESSFUL_STATUSES.includes(session.status as Status) ? ExitCode.SESSION_UNSUCCESSFUL : ExitCode.OK;
    }
    ctx.out.progress(`${stateLine(session)} · ${duration(Date.now() - since)}`);
    await sleep(ctx.intervalMs);
  }
}

/**
 * Print the log's last `lines`, then every new line until the session ends (or the user interrupts). In JSON
 * mode each log line is printed as `{"line": "…"}` on a line of its own (NDJSON), as it arrives.
 */
export async function followLogs(ctx: FollowContext, id: string, lines: number): Promise<ExitCodeValue> {
  const base = `/sessions/${encodeURIComponent(id)}`;
  // Lines written between two polls must fit in one window for nothing to be skipped.
  const window = Math.min(10_000, Math.max(lines, 1_000));
  const print = (line: string): void => ctx.out.line(ctx.json ? JSON.stringify({ line }) : line);
  let seen = splitLines(await ctx.client.text('GET', `${base}/logs`, { query: { lines } }));
  seen.forEach(print);
  for (;;) {
    const session = await poll(ctx, () => ctx.client.json<SessionJson>('GET', base));
    const latest = splitLines(await poll(ctx, () => ctx.client.text('GET', `${base}/logs`, { query: { lines: window } })));
    newLogLines(seen, latest).forEach(print);
    seen = latest;
    if (isFinal(session.status)) {
      ctx.out.done();
      return ExitCode.OK;
    }
    ctx.out.progress(`following ${id} · ${stateLine(session)}`);
    await sleep(ctx.intervalMs);
  }
}

/**
 * The lines of `next` (a later tail of the same log) that `previous` did not have: those after the last line
 * `previous` ends with, matched together with the lines before it. Everything when they share no line.
 */
export function newLogLines(previous: readonly string[], next: readonly string[]): string[] {
  if (previous.length === 0) return [...next];
  const context = Math.min(previous.length, 4);
  const tail = previous.slice(previous.length - context);
  for (let end = next.length - 1; end >= 0; end -= 1) {
    const start = end - context + 1;
    const matches = tail.every((line, i) => start + i < 0 || next[start + i] === line);
    if (matches) return next.slice(end + 1);
  }
  return [...next];
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** One poll: an unreachable gateway is retried (with the progress line saying so) for a grace period. */
async function poll<T>(ctx: FollowContext, fn: () => Promise<T>): Promise<T> {
  const grace = ctx.unreachableGraceMs ?? 30_000;
  let firstFailure: number | null = null;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof CliError) || err.exitCode !== ExitCode.UNREACHABLE) throw err;
      firstFailure ??= Date.now();
      if (Date.now() - firstFailure >= grace) throw err;
      ctx.out.progress(`${err.message.split('. ')[0]}; retrying`);
      await sleep(Math.min(2_000, ctx.intervalMs * 2));
    }
  }
}
