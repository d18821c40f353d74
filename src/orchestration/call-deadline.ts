import type { Client } from '@temporalio/client';
import { BoundedCalls, DeadlineError, isUnavailability, withinTime } from './availability';
import { ConnectionState, WentDownError } from './connection-state';
import { DecisionTimeoutError, TemporalUnavailableError, WorkerUnavailableError } from './errors';

/**
 * An abort signal that cancels every gRPC call made under it as the call starts: the SDK cancels a call when its
 * signal's `abort` event fires, and a real signal that is already aborted never fires it again.
 */
const CANCEL_AT_ONCE = {
  aborted: true,
  addEventListener: (_type: string, listener: () => void) => queueMicrotask(listener),
  removeEventListener: () => undefined,
} as unknown as AbortSignal;

/** A call under a deadline still waiting this long makes the connection state probe Temporal. */
const SLOW_CALL_MS = 1_000;

/** What a call under a deadline reports when Temporal did not answer it. */
export interface DeadlineOptions {
  /**
   * The error for calls Temporal did not answer in time (or could not be reached for) while it was not known to be
   * down: a decision no worker confirmed, a query no worker answered. @default a TemporalUnavailableError
   */
  unanswered?: (err: unknown) => Error | Promise<Error>;
}

/** Runs `fn` with every Temporal call in it under one deadline (see {@link CallDeadlines.run}). */
export type WithDeadline = <T>(timeoutMs: number, fn: () => Promise<T>, options?: DeadlineOptions) => Promise<T>;

/**
 * The Orchestrator's one deadline: every Temporal call it bounds goes through {@link run}, which sets the gRPC
 * deadline, keeps the timer that answers when a deadline cannot reach (connecting, retries), and answers at once
 * while Temporal is known to be down.
 */
export class CallDeadlines {
  /** Whether Temporal is reachable, so that calls fail at once while it is known to be down. */
  readonly temporalState: ConnectionState;
  /** Calls run here; the Orchestrator's close() lets them settle first. */
  private readonly calls = new BoundedCalls();

  /** `client` connects (once); `connectedClient` is the client once connected, or null. */
  constructor(
    private readonly client: () => Promise<Client>,
    private readonly connectedClient: () => Client | null,
  ) {
    this.temporalState = new ConnectionState((timeoutMs) => this.probe(timeoutMs));
  }

  /**
   * Runs `fn` (calls on the Orchestrator) with every Temporal call in it bounded by `timeoutMs`, and answers within
   * about that time whatever happens: when Temporal is unreachable or too slow, a TemporalUnavailableError (or what
   * `options.unanswered` makes of it). While Temporal is known to be down `fn` runs with each Temporal call
   * cancelled as it starts, and a call in flight when it is found down is answered then: both errors have
   * `fromConnectionState`.
   */
  async run<T>(timeoutMs: number, fn: () => Promise<T>, options: DeadlineOptions = {}): Promise<T> {
    const known = this.temporalState.snapshot();
    if (known.state === 'down') {
      const refused = (): TemporalUnavailableError => {
        this.temporalState.countFastFailure();
        return new TemporalUnavailableError(
          `Temporal is unavailable (known from the connection state since ${known.since.toISOString()}: ${known.reason ?? 'down'}); the request was not sent`,
          { fromConnectionState: true },
        );
      };
      // `fn` still runs, for what it can answer without Temporal (remembered work directories); every Temporal
      // call in it is cancelled as it starts, before anything is sent.
      const client = this.connectedClient();
      if (!client) throw refused();
      try {
        return await this.calls.run(client.connection, timeoutMs, () => client.connection.withAbortSignal(CANCEL_AT_ONCE, fn));
      } catch (err) {
        if (isUnavailability(err)) throw refused();
        throw err;
      }
    }
    if (known.state === 'unknown') this.temporalState.check();
    const down = this.temporalState.whenDown();
    // a call still waiting after a second may be waiting on a silent network: find out, for it and for the rest
    const slow = setTimeout(() => this.temporalState.check(), SLOW_CALL_MS).unref();
    let connected = false;
    try {
      const client = await Promise.race([withinTime(this.client(), timeoutMs), down.promise]);
      connected = true;
      return await Promise.race([this.calls.run(client.connection, timeoutMs, fn), down.promise]);
    } catch (err) {
      if (err instanceof WentDownError) {
        this.temporalState.countFastFailure();
        throw new TemporalUnavailableError(
          `Temporal became unavailable during the request (known from the connection state: ${err.message}); ` +
            'what was sent may still apply: retry (with the same Idempotency-Key) once /readyz answers 200',
          { cause: err, fromConnectionState: true },
        );
      }
      if (!isUnavailability(err)) throw err;
      this.temporalState.check();
      // already said by a deadline inside `fn`
      if (err instanceof DecisionTimeoutError || err instanceof WorkerUnavailableError) throw err;
      if (connected && options.unanswered) throw await options.unanswered(err);
      const reason = err instanceof DeadlineError ? `no answer within ${timeoutMs} ms` : firstLine(err);
      throw new TemporalUnavailableError(`Temporal is unavailable: ${reason}`, { cause: err });
    } finally {
      clearTimeout(slow);
      down.cancel();
    }
  }

  /** Resolves once every call run here has settled. */
  settled(): Promise<void> {
    return this.calls.settled();
  }

  /** Resolves when Temporal answers at all (no namespace involved); the connection state's probe. */
  private async probe(timeoutMs: number): Promise<void> {
    const client = await withinTime(this.client(), timeoutMs);
    await this.calls.run(client.connection, timeoutMs, () => client.connection.workflowService.getSystemInfo({}));
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error';
}
