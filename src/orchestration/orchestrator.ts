import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { argsFingerprint } from '../../workflows/args-fingerprint';
import {
  approveUpdate,
  type DecisionAnswer,
  extendBudgetUpdate,
  FailureType,
  FINAL_STATUSES,
  MAX_BUDGET_EXTENSION_TOKENS,
  REJECT_TARGETS,
  type RejectTarget,
  rejectUpdate,
  SESSION_WORKFLOW_TYPE,
  type SessionSnapshot,
  SessionStatus,
  type StaleReviewDetails,
} from '../../workflows/definitions';
import type { sessionWorkflow } from '../../workflows/session';
import { type OrchestratorConfig, resolveConfig } from '../config';
import { RECONNECT_CHANNEL_ARGS, temporalConnectionOptions } from '../temporal/connection-options';
import { clientTracingInterceptors } from '../tracing/client-tracing';
import { CallDeadlines, type DeadlineOptions } from './call-deadline';
import { channelOf, type TemporalReachability } from './connection-state';
import {
  DecisionTimeoutError,
  IdempotencyKeyReusedError,
  InvalidOperationError,
  MaxSessionsExceededError,
  SessionNotFoundError,
  StaleReviewError,
  ValidationError,
} from './errors';
import { assertSameRequest, checkIdempotencyKey, sessionIdForKey } from './idempotency';
import { type SessionInfo, sessionInfoFromState } from '../sessions/session-info';
import type { SessionHistory } from '../sessions/session-history';
import type { LogTail } from '../sessions/session-log';
import { type ListSessionsOptions, quoteQueryValue, type SessionPage } from '../sessions/session-listing';
import { checkedSessionId, type DocumentName, type DocumentRevision, type SessionArtifacts, SessionReader } from '../sessions/session-reader';
import { SessionGit } from '../sessions/session-git';
import { type SessionStats, SessionStatsCollector } from '../sessions/session-stats';
import { type SessionChange, type WatchCursor, type WatchOptions, SessionWatchHub } from '../sessions/session-watch';
import { checkNotifyUrl, checkSessionRequest, newSessionId, sessionStartOptions } from './session-start';

export { DEFAULT_CONFIG, type OrchestratorConfig } from '../config';
export { SessionStatus } from '../../workflows/definitions';
export * from './errors';
export type { SessionInfo } from '../sessions/session-info';
export type { LastError } from '../sessions/last-error';
export type { ListSessionsOptions, SessionPage } from '../sessions/session-listing';
export { SESSION_CURSOR_PATTERN } from '../sessions/session-listing';
export type { SessionHistory } from '../sessions/session-history';
export type { SessionStats } from '../sessions/session-stats';
export type { DocumentName, DocumentRevision, SessionArtifacts } from '../sessions/session-reader';
export type { LogTail } from '../sessions/session-log';
export type { SessionChange, WatchCursor, WatchOptions } from '../sessions/session-watch';
export type { TemporalReachability, TemporalState } from './connection-state';
export type { DeadlineOptions } from './call-deadline';


/** Who makes a decision, and the id that makes a retried decision apply once. */
export interface DecisionOptions {
  /** Recorded in the session's audit trail. */
  by?: string;
  /** Reusing an id returns the first call's outcome instead of deciding again. */
  decisionId?: string;
  /**
   * The review round the decision answers (the `reviewRound` the caller saw). A round that is not the open one
   * is refused with a {@link StaleReviewError} and changes nothing; without it the decision applies to whatever
   * review is open.
   */
  reviewRound?: number;
  /**
   * The decision's deadline: how long to wait for a worker to confirm it; beyond it a {@link DecisionTimeoutError}
   * (the decision may still apply later). Without it the call waits as long as it takes.
   */
  timeoutMs?: number;
}

/** Who extends a session's budget, and the id that makes a retried extension apply once. */
export interface BudgetExtensionOptions {
  /** Recorded in the session's audit trail. */
  by?: string;
  /** Reusing an id returns the first call's outcome instead of adding the tokens again. */
  extensionId?: string;
  /** How long to wait for a worker to confirm; beyond it a {@link DecisionTimeoutError}. */
  timeoutMs?: number;
}

/** Options of {@link Orchestrator.startNewSession}. */
export interface StartSessionOptions {
  /**
   * Makes the start idempotent: the session id is derived from the key, so a retry with the same key (from
   * any process, at any time while the session is within retention) returns the same session instead of
   * starting a second one. Reusing a key with another mission or project is an IdempotencyKeyReusedError.
   */
  idempotencyKey?: string;
  /**
   * The session's own webhook receiver (besides `WEBHOOK_URLS`); its host must be in `WEBHOOK_ALLOWED_HOSTS`, else
   * a ValidationError.
   */
  notifyUrl?: string | null;
}

/** Optional collaborators, for processes that already hold a connection. */
export interface OrchestratorDeps {
  connection?: Connection;
  /** Timing of the shared session watchers ({@link Orchestrator.watch}); the gateway passes its poll interval. */
  watch?: Partial<WatchOptions>;
}

/**
 * The Orchestrator API: starts sessions, reads their state, and takes review decisions. Every session is a
 * Temporal workflow; reads go to Temporal's visibility (no worker needed), decisions are workflow updates.
 */
export class Orchestrator {
  readonly config: OrchestratorConfig;
  private clientPromise: Promise<Client> | null = null;
  /** The client once connected (the fast path needs it without waiting). */
  private connectedClient: Client | null = null;
  private ownedConnection: Connection | null = null;
  private statsCollector: SessionStatsCollector | null = null;
  /** Every Temporal call with a deadline goes through here (see {@link withDeadline}). */
  private readonly deadlines = new CallDeadlines(() => this.client(), () => this.connectedClient);
  /** Every read of a session goes through here. */
  readonly sessions = new SessionReader(() => this.client(), (timeoutMs, fn, options) => this.withDeadline(timeoutMs, fn, options));
  /** Each session's git history: commits, diffs and bundles (read from the work directory's git directory). */
  readonly git = new SessionGit((sessionId) => this.sessions.workDir(sessionId));
  private watchHub: SessionWatchHub | null = null;
  private readonly createdAt = Date.now();

  constructor(config: Partial<OrchestratorConfig> = {}, private readonly deps: OrchestratorDeps = {}) {
    this.config = resolveConfig(config);
  }

  /** Start a session; returns its id (`sess_…`), which is also its workflow id. */
  async startNewSession(userMission: string, projectName?: string | null, options: StartSessionOptions = {}): Promise<string> {
    const request = { ...checkSessionRequest(userMission, projectName), notifyUrl: checkNotifyUrl(this.config, options.notifyUrl) };
    const key = options.idempotencyKey === undefined ? null : checkIdempotencyKey(options.idempotencyKey);
    const keyedId = key === null ? null : sessionIdForKey(key);
    const client = await this.client();
    if (key !== null && keyedId !== null) {
      const existing = await this.getSessionStatus(keyedId).catch((err: unknown) => {
        if (err instanceof SessionNotFoundError) return null;
        throw err;
      });
      if (existing) {
        assertSameRequest(existing, request.mission, request.project, key);
        return keyedId;
      }
    }
    const active = await client.workflow.count(
      `WorkflowType = ${quoteQueryValue(SESSION_WORKFLOW_TYPE)} AND ExecutionStatus = 'Running'`,
    );
    if (active.count >= this.config.maxActiveSessions) {
      throw new MaxSessionsExceededError(active.count, this.config.maxActiveSessions);
    }
    const sessionId = keyedId ?? newSessionId();
    try {
      await client.workflow.start<typeof sessionWorkflow>(
        SESSION_WORKFLOW_TYPE,
        sessionStartOptions(this.config, sessionId, request, keyedId !== null),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      if (!keyedId) throw new InvalidOperationError(`session id collision for ${sessionId}; try again`, { cause: err });
    }
    if (key !== null) assertSameRequest(await this.getSessionStatus(sessionId), request.mission, request.project, key);
    return sessionId;
  }

  /** The session's current status, read from Temporal's visibility: it needs no running worker. */
  async getSessionStatus(sessionId: string): Promise<SessionInfo> {
    return this.sessions.info(sessionId);
  }

  /** Sessions newest first, optionally of one status. */
  async listSessions(options: { status?: SessionStatus; limit?: number } = {}): Promise<SessionInfo[]> {
    return (await this.listSessionPage(options)).sessions;
  }

  /** One page of sessions newest first, with filters and a cursor for the next page. */
  async listSessionPage(options: ListSessionsOptions = {}): Promise<SessionPage> {
    if (options.status !== undefined && !Object.values(SessionStatus).includes(options.status)) {
      throw new ValidationError(`status must be one of ${Object.values(SessionStatus).join(', ')}`);
    }
    return this.sessions.list(options);
  }

  /** Approve the documents in review; the session continues with the engineer. */
  async approveAndContinue(sessionId: string, options: DecisionOptions = {}): Promise<SessionInfo> {
    return this.decide(sessionId, options, approveUpdate, { by: options.by ?? null, ...roundArg(options) });
  }

  /** Reject the documents in review; `rejectTo` runs again with all feedback so far. */
  async rejectAndIterate(
    sessionId: string,
    feedback: string,
    rejectTo: RejectTarget = 'architect',
    options: DecisionOptions = {},
  ): Promise<SessionInfo> {
    if (typeof feedback !== 'string' || feedback.trim() === '') {
      throw new ValidationError('feedback must be a non-empty string');
    }
    if (!REJECT_TARGETS.includes(rejectTo)) {
      throw new ValidationError(`reject_to must be one of ${REJECT_TARGETS.join(', ')}`);
    }
    return this.decide(sessionId, options, rejectUpdate, { feedback: feedback.trim(), rejectTo, by: options.by ?? null, ...roundArg(options) });
  }

  /**
   * Raise the session's token cap by `tokens` (any status but a final one); a session paused at its cap resumes
   * at the step it reached. A session without a cap, or one that ended, is an InvalidOperationError.
   */
  async extendBudget(sessionId: string, tokens: number, options: BudgetExtensionOptions = {}): Promise<SessionInfo> {
    if (typeof tokens !== 'number' || !Number.isInteger(tokens) || tokens < 1 || tokens > MAX_BUDGET_EXTENSION_TOKENS) {
      throw new ValidationError(`add_tokens must be an integer from 1 to ${MAX_BUDGET_EXTENSION_TOKENS}`);
    }
    const decision = { decisionId: options.extensionId, timeoutMs: options.timeoutMs };
    return this.decide(sessionId, decision, extendBudgetUpdate, { addTokens: tokens, by: options.by ?? null }, (info) => `session ${sessionId} already ended with status ${info.status}; its budget cannot change`);
  }

  /**
   * The session's audit trail (phases, decisions, artifact revisions), read from the workflow itself: this needs
   * a worker. When none answers within `timeoutMs` (the query's deadline), a WorkerUnavailableError (or
   * TemporalUnavailableError).
   */
  async getHistory(sessionId: string, timeoutMs = 5_000): Promise<SessionHistory> {
    return this.sessions.history(sessionId, timeoutMs);
  }

  /**
   * The changes of a session from `from` on (info, audit entries, log lines, artifact revisions), until `signal`
   * aborts: every caller in this process shares one poller per session. See {@link SessionWatchHub.watch}.
   */
  watch(sessionId: string, from: WatchCursor, signal: AbortSignal): AsyncGenerator<SessionChange> {
    return this.watchers().watch(checkedSessionId(sessionId), from, signal);
  }

  /** This Orchestrator's shared session watchers (created with `deps.watch` on first use). */
  watchers(): SessionWatchHub {
    this.watchHub ??= new SessionWatchHub(this.sessions, (ms, fn) => this.withDeadline(ms, fn), this.deps.watch);
    return this.watchHub;
  }

  /** Namespace-wide figures for metrics, derived from Temporal so that every replica reports the same truth. */
  async getSessionStats(): Promise<SessionStats> {
    this.statsCollector ??= new SessionStatsCollector(() => this.client(), { startedAt: this.createdAt, maxIterations: this.config.maxIterations });
    return this.statsCollector.collect();
  }

  /**
   * Runs `fn` (calls on this Orchestrator) under one deadline: every Temporal call in it bounded by `timeoutMs`, an
   * answer within about that time whatever happens (a TemporalUnavailableError when Temporal is unreachable or too
   * slow), and at once while Temporal is known to be down (see {@link reachability}). The one place the
   * Orchestrator's deadlines are applied: the calls with a deadline of their own (decisions, the audit trail,
   * `ping`) go through it too.
   */
  withDeadline<T>(timeoutMs: number, fn: () => Promise<T>, options?: DeadlineOptions): Promise<T> {
    return this.deadlines.run(timeoutMs, fn, options);
  }

  /**
   * What this Orchestrator knows about reaching Temporal now, from its connection's state and its probes (which
   * run while Temporal is down, every half second, and whenever a call finds it unavailable).
   */
  get reachability(): TemporalReachability {
    return this.deadlines.temporalState.snapshot();
  }

  /** Absolute paths of the session's artifacts, null until produced. */
  async getArtifacts(sessionId: string): Promise<SessionArtifacts> {
    return this.sessions.artifacts(sessionId);
  }

  /** The last `lines` lines of the session's execution log, each timestamped and tagged with its phase. */
  async getRecentLogs(sessionId: string, lines = 50): Promise<string> {
    return (await this.getLogTail(sessionId, lines)).text;
  }

  /** Like {@link getRecentLogs}, with the byte offset where lines written after them start (to follow the log). */
  async getLogTail(sessionId: string, lines = 50): Promise<LogTail> {
    if (!Number.isInteger(lines) || lines < 1 || lines > 10_000) {
      throw new ValidationError('lines must be an integer from 1 to 10000');
    }
    return this.sessions.recentLogs(sessionId, lines);
  }

  /**
   * The text of one of the session's documents, or null until it is produced. Read without following links out
   * of the work directory, since generated code may have written there.
   */
  async readArtifact(sessionId: string, name: DocumentName): Promise<string | null> {
    return this.sessions.document(sessionId, name);
  }

  /** Every kept revision of a document with its text, oldest first; empty until it is produced. */
  async getArtifactRevisions(sessionId: string, name: DocumentName, maxBytes = 16 * 1024 * 1024): Promise<DocumentRevision[]> {
    return this.sessions.revisions(sessionId, name, maxBytes);
  }

  /** Whether an agent phase of the session is executing now. */
  async isRunning(sessionId: string): Promise<boolean> {
    return (await this.getSessionStatus(sessionId)).status === SessionStatus.RUNNING;
  }

  /**
   * Cancel a session in any non-final state: its running activity is cancelled and it ends `cancelled`.
   * Waits up to `waitMs` for the workflow to confirm, then returns the session as it is.
   */
  async cancelSession(sessionId: string, waitMs = 10_000): Promise<SessionInfo> {
    const before = await this.getSessionStatus(sessionId);
    if (FINAL_STATUSES.includes(before.status)) {
      throw new InvalidOperationError(`session ${sessionId} already ended with status ${before.status}`);
    }
    await (await this.client()).workflow.getHandle(sessionId).cancel();
    const deadline = Date.now() + waitMs;
    for (;;) {
      const info = await this.getSessionStatus(sessionId);
      if (FINAL_STATUSES.includes(info.status) || Date.now() >= deadline) return info;
      await sleep(100);
    }
  }

  /** Resolves when Temporal answers for this namespace within `timeoutMs`; rejects otherwise (see {@link withDeadline}). */
  async ping(timeoutMs = 2_000): Promise<void> {
    await this.withDeadline(timeoutMs, async () => {
      const client = await this.client();
      await client.connection.workflowService.describeNamespace({ namespace: this.config.namespace });
    });
  }

  /**
   * Close the connection this Orchestrator opened (a connection passed in stays open). Calls still running
   * under {@link withDeadline} (each bounded by its deadline) settle first: a call the client is retrying would
   * otherwise retry on a closed channel.
   */
  async close(): Promise<void> {
    this.deadlines.temporalState.reset();
    await this.deadlines.settled();
    await this.clientPromise?.catch(() => undefined);
    const connection = this.ownedConnection;
    this.ownedConnection = null;
    this.clientPromise = null;
    this.connectedClient = null;
    await connection?.close();
  }

  private client(): Promise<Client> {
    this.clientPromise ??= this.connect().catch((err: unknown) => {
      this.clientPromise = null;
      throw err;
    });
    return this.clientPromise;
  }

  private async connect(): Promise<Client> {
    let connection = this.deps.connection;
    if (!connection) {
      // lazy, then connected: the channel is watched from its first attempt, so a refused one is known at once
      const lazy = Connection.lazy({ ...temporalConnectionOptions(this.config), channelArgs: RECONNECT_CHANNEL_ARGS });
      this.deadlines.temporalState.watch(channelOf(lazy));
      try {
        await lazy.ensureConnected();
      } catch (err) {
        await lazy.close().catch(() => undefined);
        throw err;
      }
      connection = lazy;
      this.ownedConnection = connection;
    } else {
      this.deadlines.temporalState.watch(channelOf(connection));
    }
    this.connectedClient = new Client({ connection, namespace: this.config.namespace, interceptors: clientTracingInterceptors() });
    return this.connectedClient;
  }

  /**
   * Send a decision (an update), under its deadline when `options.timeoutMs` is given, and turn the workflow's
   * refusals into the API's errors. A decision id the session already answered with other arguments is an
   * IdempotencyKeyReusedError (Temporal answers a known id with its first outcome).
   */
  private async decide<Args>(
    sessionId: string,
    options: DecisionOptions,
    update: UpdateDefinition<DecisionAnswer, [Args]>,
    args: Args,
    closed: (info: SessionInfo) => string = (info) => `session ${sessionId} is not awaiting approval (status ${info.status})`,
  ): Promise<SessionInfo> {
    const id = checkedSessionId(sessionId);
    roundArg(options);
    const { timeoutMs } = options;
    const sendDecision = async (decisionId: string | undefined): Promise<SessionSnapshot> => {
      const handle = (await this.client()).workflow.getHandle(id);
      const answer = await sendUntilProcessed((updateId) => handle.executeUpdate(update, { args: [args], updateId }), decisionId);
      if (decisionId !== undefined && answer.argsFingerprint !== undefined && answer.argsFingerprint !== argsFingerprint(args)) {
        throw new IdempotencyKeyReusedError(
          `the key of this request (${JSON.stringify(decisionId)}) was already used on session ${sessionId} with other content; the first ` +
            'request’s outcome stands and nothing was changed. Send a new key for a different request.',
        );
      }
      return answer;
    };
    // The session as it is now, once the workflow refused the decision; under the decision's deadline too.
    const current = (): Promise<SessionInfo> =>
      timeoutMs === undefined ? this.getSessionStatus(sessionId) : this.withDeadline(timeoutMs, () => this.getSessionStatus(sessionId));
    try {
      if (timeoutMs === undefined) return sessionInfoFromState(await sendDecision(options.decisionId));
      const decisionId = options.decisionId ?? randomUUID();
      const state = await this.withDeadline(timeoutMs, () => sendDecision(decisionId), {
        unanswered: (err) => new DecisionTimeoutError(sessionId, decisionId, timeoutMs, { cause: err }),
      });
      return sessionInfoFromState(state);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === FailureType.STALE_REVIEW) {
          // The workflow's own view wins over visibility, which may not show the newest round yet.
          const live = err.cause.details?.[0] as Partial<StaleReviewDetails> | undefined;
          const info = await current();
          const session: SessionInfo = {
            ...info,
            reviewRound: live?.reviewRound ?? info.reviewRound,
            status: live?.status ?? info.status,
            currentPhase: live?.phase ?? info.currentPhase,
          };
          throw new StaleReviewError(err.cause.message, session, { cause: err });
        }
        if (err.cause.type === FailureType.INVALID_OPERATION) throw new InvalidOperationError(err.cause.message, { cause: err });
        if (err.cause.type === FailureType.VALIDATION) throw new ValidationError(err.cause.message, { cause: err });
      }
      if (err instanceof WorkflowNotFoundError) {
        const info = await current();
        if (options.reviewRound !== undefined) {
          const message = `the decision answers review round ${options.reviewRound} of session ${sessionId}, but no review is open (status ${info.status})`;
          throw new StaleReviewError(message, info, { cause: err });
        }
        throw new InvalidOperationError(closed(info), { cause: err });
      }
      throw err;
    }
  }
}

/** Sends of a decision the server refused as "not processed by the worker" before it gives up. */
const UNPROCESSED_UPDATE_ATTEMPTS = 5;

/**
 * `send`, again when the server answers that no worker processed the update (concurrent updates can race a workflow
 * task that then carries none of them). Such an update was neither accepted nor applied, and a rejection leaves no
 * trace on the server, so it is sent again under the same id: whichever send applies it, every later one with that
 * id (a retry of the request with its Idempotency-Key) is answered with that outcome. Sending under ids derived
 * from the first, as before, let a later retry under the first id apply the decision a second time.
 */
async function sendUntilProcessed(send: (updateId: string | undefined) => Promise<DecisionAnswer>, updateId: string | undefined): Promise<DecisionAnswer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send(updateId);
    } catch (err) {
      const unprocessed =
        err instanceof WorkflowUpdateFailedError && /processed by (the )?worker/i.test(`${err.message} ${err.cause instanceof Error ? err.cause.message : ''}`);
      if (!unprocessed || attempt >= UNPROCESSED_UPDATE_ATTEMPTS) throw err;
      await sleep(100 * 2 ** (attempt - 1));
    }
  }
}

/** The `reviewRound` argument of a decision, checked: absent, or a whole number from 1. */
function roundArg(options: DecisionOptions): { reviewRound?: number } {
  const round = options.reviewRound;
  if (round === undefined) return {};
  if (typeof round !== 'number' || !Number.isInteger(round) || round < 1) {
    throw new ValidationError('review_round must be an integer of at least 1');
  }
  return { reviewRound: round };
}

