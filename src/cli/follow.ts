/** `watch` and `logs --follow`: both read the gateway's event stream of the session. */
import { ExitCode, type ExitCodeValue } from './exit-codes';
import type { GatewayClient } from './gateway-client';
import type { Output } from './output';
import { duration, nextSteps, shortTime, stateLine } from './render';
import { FINAL_STATUSES, type SessionStatus, UNSUCCESSFUL_STATUSES } from '../../workflows/vocabulary';
import type { SessionJson } from '../gateway/wire';

/** What a polling command needs. */
export interface FollowContext {
  client: GatewayClient;
  out: Output;
  json: boolean;
  /** Delay before reconnecting a dropped event stream, in milliseconds. */
  intervalMs: number;
  /** How long the gateway may stay unreachable before the command gives up. @default 30000 */
  unreachableGraceMs?: number;
}

const isFinal = (status: SessionStatus): boolean => FINAL_STATUSES.includes(status);

/** How long `logs --follow` keeps reading after the session ended: its last lines are written just after. */
const FINAL_LINES_GRACE_MS = 3_000;
/** An audit position past any session's: a stream opened there sends session snapshots and log lines only. */
const NO_AUDIT = 999_999_999;
/** A log position past any log's (the largest the stream accepts): `watch` wants no log lines. */
const NO_LOG = 999_999_999_999_999;

/** The session's event stream (`GET /sessions/{id}/events`), reconnecting as the context says. */
function stream(ctx: FollowContext, id: string, signal: AbortSignal, lastEventId?: string) {
  return ctx.client.events(`/sessions/${encodeURIComponent(id)}/events`, {
    lastEventId,
    reconnectMs: ctx.intervalMs,
    unreachableGraceMs: ctx.unreachableGraceMs ?? 30_000,
    onRetry: (message) => ctx.out.progress(message),
    signal,
  });
}

/**
 * Print the session's state, then one line each time its status, phase or iteration changes, until it needs a
 * person (review, or paused at its token budget) or ends, from the gateway's event stream (no polling). Exit code:
 * OK in review, paused or completed,
 * SESSION_UNSUCCESSFUL when failed, expired or cancelled.
 */
export async function watchSession(ctx: FollowContext, id: string): Promise<ExitCodeValue> {
  let lastKey = '';
  let since = Date.now();
  const done = new AbortController();
  const ticker = setInterval(() => lastSession && ctx.out.progress(`${stateLine(lastSession)} · ${duration(Date.now() - since)}`), 1_000);
  let lastSession: SessionJson | null = null;
  try {
    for await (const event of stream(ctx, id, done.signal, `${NO_AUDIT}-${NO_LOG}`)) {
      if (event.event !== 'session') continue;
      const session = event.data as SessionJson;
      lastSession = session;
      const key = `${session.status}|${session.current_phase}|${session.iteration_count}|${session.qa_passed}`;
      const ended = session.status === 'awaiting_approval' || session.status === 'paused' || isFinal(session.status);
      if (ended) ctx.out.done();
      if (key !== lastKey) {
        lastKey = key;
        since = Date.now();
        ctx.out.line(ctx.json ? JSON.stringify(session) : `${shortTime(new Date().toISOString())}  ${session.session_id}  ${stateLine(session)}`);
      }
      if (ended) {
        if (!ctx.json) for (const step of nextSteps(session)) ctx.out.line(step);
        return UNSUCCESSFUL_STATUSES.includes(session.status) ? ExitCode.SESSION_UNSUCCESSFUL : ExitCode.OK;
      }
      ctx.out.progress(`${stateLine(session)} · ${duration(Date.now() - since)}`);
    }
    return ExitCode.OK;
  } finally {
    clearInterval(ticker);
    done.abort();
  }
}

/**
 * Print the log's last `lines`, then every new line from the gateway's event stream (which resumes right after
 * them: no line twice, none missed) until the session ends, or the user interrupts. In JSON mode each log line is
 * printed as `{"line": "…"}` on a line of its own (NDJSON), as it arrives.
 */
export async function followLogs(ctx: FollowContext, id: string, lines: number): Promise<ExitCodeValue> {
  const print = (line: string): void => ctx.out.line(ctx.json ? JSON.stringify({ line }) : line);
  const tail = await ctx.client.textWithHeaders('GET', `/sessions/${encodeURIComponent(id)}/logs`, { query: { lines } });
  splitLines(tail.text).forEach(print);
  const end = Number(tail.headers.get('x-log-end-offset') ?? 0);
  const done = new AbortController();
  let endedAt: number | null = null;
  let graceTimer: NodeJS.Timeout | undefined;
  try {
    for await (const event of stream(ctx, id, done.signal, `${NO_AUDIT}-${Number.isSafeInteger(end) ? end : 0}`)) {
      if (event.event === 'log') print((event.data as { line: string }).line);
      if (event.event !== 'session') continue;
      const session = event.data as SessionJson;
      if (isFinal(session.status) && endedAt === null) {
        endedAt = Date.now();
        graceTimer = setTimeout(() => done.abort(), FINAL_LINES_GRACE_MS);
      }
      if (endedAt === null) ctx.out.progress(`following ${id} · ${stateLine(session)}`);
    }
    ctx.out.done();
    return ExitCode.OK;
  } finally {
    clearTimeout(graceTimer);
    done.abort();
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
