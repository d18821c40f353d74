/** What each subcommand does: one or two gateway calls, then the human view or the JSON. */
import { userInfo } from 'node:os';
import { ExitCode, type ExitCodeValue } from './exit-codes';
import { followLogs, watchSession } from './follow';
import type { GatewayClient } from './gateway-client';
import type { Output } from './output';
import { artifactList, decisionDocuments, historyView, nextSteps, sessionDetail, sessionTable, stateLine } from './render';
import type { DocumentName } from '../../workflows/vocabulary';
import type { ArtifactsJson, HistoryJson, SessionJson, SessionListJson } from '../gateway/wire';

/** What every command runs with. */
export interface CommandContext {
  client: GatewayClient;
  out: Output;
  json: boolean;
}

const sessionPath = (id: string, rest = ''): string => `/sessions/${encodeURIComponent(id)}${rest}`;
const idempotency = (key: string | undefined): Record<string, string> => (key ? { 'idempotency-key': key } : {});

function printJson(ctx: CommandContext, value: unknown): void {
  ctx.out.line(JSON.stringify(value, null, 2));
}

function printSession(ctx: CommandContext, session: SessionJson, headline: string): void {
  if (ctx.json) return printJson(ctx, session);
  ctx.out.line(headline);
  for (const step of nextSteps(session)) ctx.out.line(step);
}

/** Who decides, for the audit trail, when `--by` is not given: the local user name. */
export function defaultDecider(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return userInfo().username || env.USER || 'cli';
  } catch {
    return env.USER ?? 'cli';
  }
}

export async function start(ctx: CommandContext, mission: string, options: { project?: string; idempotencyKey?: string }): Promise<ExitCodeValue> {
  const body = { user_mission: mission, ...(options.project !== undefined ? { project_name: options.project } : {}) };
  const session = await ctx.out.while('starting the session', () =>
    ctx.client.json<SessionJson>('POST', '/sessions', { body, headers: idempotency(options.idempotencyKey) }),
  );
  printSession(ctx, session, `Started ${session.session_id}: ${stateLine(session)}`);
  return ExitCode.OK;
}

export async function status(ctx: CommandContext, id: string): Promise<ExitCodeValue> {
  const session = await ctx.out.while('reading the session', () => ctx.client.json<SessionJson>('GET', sessionPath(id)));
  if (ctx.json) printJson(ctx, session);
  else {
    for (const line of sessionDetail(session)) ctx.out.line(line);
    const steps = nextSteps(session);
    if (steps.length > 0) ctx.out.line();
    for (const step of steps) ctx.out.line(step);
  }
  return ExitCode.OK;
}

export async function list(
  ctx: CommandContext,
  options: { status?: string; project?: string; limit?: number; cursor?: string },
): Promise<ExitCodeValue> {
  const page = await ctx.out.while('listing sessions', () =>
    ctx.client.json<SessionListJson>('GET', '/sessions', {
      query: { status: options.status, project: options.project, limit: options.limit, cursor: options.cursor },
    }),
  );
  if (ctx.json) {
    printJson(ctx, page);
    return ExitCode.OK;
  }
  if (page.sessions.length === 0) ctx.out.line('No sessions.');
  else for (const line of sessionTable(page.sessions, ctx.out.stdout.isTTY ? (ctx.out.stdout.columns ?? 120) : 160)) ctx.out.line(line);
  if (page.next_cursor) ctx.out.line(`\nMore: orchestrator list --cursor ${page.next_cursor}${options.limit ? ` --limit ${options.limit}` : ''}`);
  return ExitCode.OK;
}

const roundField = (round: number | undefined): { review_round?: number } => (round === undefined ? {} : { review_round: round });

/** Which round and which documents a decision applied to (from the history; nothing when no worker answers). */
async function printDecided(ctx: CommandContext, session: SessionJson, by: string): Promise<void> {
  if (ctx.json) return;
  const trail = await ctx.client.json<HistoryJson>('GET', sessionPath(session.session_id, '/history')).catch(() => null);
  // This decision, not one someone else took since: the last of this decider's in the round it applied to.
  const decision = trail?.decisions.filter((d) => d.by === by && (session.review_round === null || d.review_round === session.review_round)).at(-1);
  const round = decision?.review_round ?? session.review_round;
  if (round === null || round === undefined) return;
  const documents = decision?.documents ? decisionDocuments(decision.documents) : 'document hashes unavailable (no worker answered the history)';
  ctx.out.line(`Applied to review round ${round}: ${documents}`);
}

export async function approve(ctx: CommandContext, id: string, options: { by: string; round?: number; idempotencyKey?: string }): Promise<ExitCodeValue> {
  const body = { by: options.by, ...roundField(options.round) };
  const session = await ctx.out.while('approving (waiting for a worker to confirm)', () =>
    ctx.client.json<SessionJson>('POST', sessionPath(id, '/approve'), { body, headers: idempotency(options.idempotencyKey) }),
  );
  printSession(ctx, session, `Approved ${session.session_id}: ${stateLine(session)}`);
  await printDecided(ctx, session, options.by);
  return ExitCode.OK;
}

export async function reject(
  ctx: CommandContext,
  id: string,
  options: { feedback: string; to: string; by: string; round?: number; idempotencyKey?: string },
): Promise<ExitCodeValue> {
  const body = { feedback: options.feedback, reject_to: options.to, by: options.by, ...roundField(options.round) };
  const session = await ctx.out.while('rejecting (waiting for a worker to confirm)', () =>
    ctx.client.json<SessionJson>('POST', sessionPath(id, '/reject'), { body, headers: idempotency(options.idempotencyKey) }),
  );
  const headline =
    session.status === 'failed'
      ? `Rejected ${session.session_id}: the session failed, its iteration budget is spent (${stateLine(session)})`
      : `Rejected ${session.session_id}: back to ${options.to} (${stateLine(session)})`;
  printSession(ctx, session, headline);
  await printDecided(ctx, session, options.by);
  return ExitCode.OK;
}

export async function budget(ctx: CommandContext, id: string, options: { add: number; by: string; idempotencyKey?: string }): Promise<ExitCodeValue> {
  const body = { add_tokens: options.add, by: options.by };
  const session = await ctx.out.while('extending the budget (waiting for a worker to confirm)', () =>
    ctx.client.json<SessionJson>('POST', sessionPath(id, '/budget'), { body, headers: idempotency(options.idempotencyKey) }),
  );
  const resumed = session.status === 'paused' ? 'still paused: the cap is still below what it spent' : stateLine(session);
  printSession(ctx, session, `Budget of ${session.session_id} raised by ${options.add} to ${session.token_budget} tokens (${session.tokens_used} spent): ${resumed}`);
  return ExitCode.OK;
}

export async function cancel(ctx: CommandContext, id: string): Promise<ExitCodeValue> {
  const session = await ctx.out.while('cancelling', () => ctx.client.json<SessionJson>('POST', sessionPath(id, '/cancel'), { body: {} }));
  printSession(ctx, session, `Cancelled ${session.session_id} (phase ${session.current_phase}, iteration ${session.iteration_count})`);
  return ExitCode.OK;
}

export async function artifacts(ctx: CommandContext, id: string, name: DocumentName | undefined): Promise<ExitCodeValue> {
  if (name === undefined) {
    const [paths, session] = await ctx.out.while('reading artifacts', () =>
      Promise.all([ctx.client.json<ArtifactsJson>('GET', sessionPath(id, '/artifacts')), ctx.client.json<SessionJson>('GET', sessionPath(id))]),
    );
    if (ctx.json) printJson(ctx, { ...paths, review_round: session.review_round });
    else for (const line of artifactList(paths, session)) ctx.out.line(line);
    return ExitCode.OK;
  }
  const content = await ctx.out.while(`reading ${name}`, () => ctx.client.text('GET', sessionPath(id, `/artifacts/${name}`)));
  if (ctx.json) printJson(ctx, { session_id: id, name, content });
  else ctx.out.raw(content);
  return ExitCode.OK;
}

export async function history(ctx: CommandContext, id: string): Promise<ExitCodeValue> {
  const trail = await ctx.out.while('reading the history', () => ctx.client.json<HistoryJson>('GET', sessionPath(id, '/history')));
  if (ctx.json) printJson(ctx, trail);
  else for (const line of historyView(trail)) ctx.out.line(line);
  return ExitCode.OK;
}

export async function logs(ctx: CommandContext, id: string, options: { lines: number; follow: boolean; intervalMs: number }): Promise<ExitCodeValue> {
  if (options.follow) {
    return followLogs({ client: ctx.client, out: ctx.out, json: ctx.json, intervalMs: options.intervalMs }, id, options.lines);
  }
  const text = await ctx.out.while('reading the log', () => ctx.client.text('GET', sessionPath(id, '/logs'), { query: { lines: options.lines } }));
  if (ctx.json) printJson(ctx, { session_id: id, lines: text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1) });
  else ctx.out.raw(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  return ExitCode.OK;
}

export function watch(ctx: CommandContext, id: string, options: { intervalMs: number }): Promise<ExitCodeValue> {
  return watchSession({ client: ctx.client, out: ctx.out, json: ctx.json, intervalMs: options.intervalMs }, id);
}
