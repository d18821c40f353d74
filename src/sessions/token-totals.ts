import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { type SessionMemo, type TokenTally } from '../../workflows/definitions';
import { quoteQueryValue, SESSION_TYPE_CLAUSE } from './session-listing';
import { sessionInfoFromExecution } from './session-info';

/** Tokens of every session, summed by phase and model. */
export interface TokenTotal {
  phase: TokenTally['phase'];
  model: string;
  promptTokens: number;
  completionTokens: number;
}

/** How far back each listing looks before the previous one: visibility may lag behind the workflow. */
const LOOKBACK_MS = 10 * 60 * 1000;

/**
 * The tokens of every session in the namespace, whatever its state, from the `usage` entry of each session's
 * memo: the first collection lists every session, later ones only those updated since (a phase's tokens are
 * published when it ends, pauses or the session's state changes; the Engineer's after every turn, counted here
 * with the session's next state change). Open sessions are kept by id (their figures replace the previous ones);
 * a closed session's figures are added once and only its id is remembered, for the look-back window.
 */
export class TokenTotals {
  private readonly open = new Map<string, TokenTally[]>();
  private readonly closedTotals = new Map<string, TokenTotal>();
  /** Closed sessions already added, with their last update time (forgotten once past the look-back window). */
  private readonly closedSeen = new Map<string, number>();
  private listedAt: number | null = null;

  /** Read what changed since the last collection and return the namespace's totals. */
  async collect(client: Client, now = new Date()): Promise<TokenTotal[]> {
    const since = this.listedAt === null ? null : this.listedAt - LOOKBACK_MS;
    const query = since === null ? SESSION_TYPE_CLAUSE : `${SESSION_TYPE_CLAUSE} AND SessionUpdatedAt >= ${quoteQueryValue(new Date(since).toISOString())}`;
    for await (const execution of client.workflow.list({ query })) this.take(execution);
    for (const [id, updatedAt] of this.closedSeen) if (since !== null && updatedAt < since - LOOKBACK_MS) this.closedSeen.delete(id);
    this.listedAt = now.getTime();
    return this.totals();
  }

  private take(execution: Omit<WorkflowExecutionInfo, 'raw'>): void {
    const tallies = (execution.memo as Partial<SessionMemo> | undefined)?.usage?.tokens;
    if (!Array.isArray(tallies)) return;
    const id = execution.workflowId;
    if (execution.status.name === 'RUNNING') {
      this.open.set(id, tallies);
      return;
    }
    this.open.delete(id);
    if (this.closedSeen.has(id)) return;
    this.closedSeen.set(id, sessionInfoFromExecution(execution).updatedAt.getTime());
    for (const tally of tallies) add(this.closedTotals, tally);
  }

  private totals(): TokenTotal[] {
    const sums = new Map<string, TokenTotal>();
    for (const total of this.closedTotals.values()) add(sums, total);
    for (const tallies of this.open.values()) for (const tally of tallies) add(sums, tally);
    return [...sums.values()];
  }
}

function add(into: Map<string, TokenTotal>, tally: TokenTally | TokenTotal): void {
  const key = `${tally.phase}\u0000${tally.model}`;
  const total = into.get(key) ?? { phase: tally.phase, model: tally.model, promptTokens: 0, completionTokens: 0 };
  total.promptTokens += tally.promptTokens;
  total.completionTokens += tally.completionTokens;
  into.set(key, total);
}
