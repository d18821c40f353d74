import type { Connection } from '@temporalio/client';
import { isUnavailability, withinTime } from './availability';

/** What is known about reaching Temporal: `unknown` until the first probe or connection event. */
export type TemporalState = 'unknown' | 'up' | 'down';

/** A snapshot of {@link ConnectionState}. */
export interface TemporalReachability {
  state: TemporalState;
  /** When the state last changed. */
  since: Date;
  /** Why Temporal counts as down; null otherwise. */
  reason: string | null;
  /** Calls answered from the known state without being sent (or without waiting out their timeout). */
  fastFailures: number;
}

/** Timing of {@link ConnectionState}. */
export interface ConnectionStateOptions {
  /** Pause between probes while Temporal is down. @default 500 */
  probeIntervalMs?: number;
  /** A probe with no answer within this long counts as down. @default 2000 */
  probeTimeoutMs?: number;
}

/** The part of a gRPC channel watched here (`connection.client.getChannel()` of @grpc/grpc-js). */
export interface WatchableChannel {
  getConnectivityState(tryToConnect: boolean): number;
  watchConnectivityState(currentState: number, deadline: number, callback: (error?: Error) => void): void;
}

/**
 * The gRPC channel under a client Connection. The SDK keeps its grpc-js client `protected` (it is set in the
 * constructor and never replaced), so it is reached through a cast; a Connection without one fails loudly here.
 */
export function channelOf(connection: Connection): WatchableChannel {
  const channel = (connection as unknown as { client?: { getChannel?: () => WatchableChannel } }).client?.getChannel?.();
  if (!channel) throw new Error('this Temporal client Connection has no gRPC channel to watch');
  return channel;
}

/** gRPC connectivity states (grpc-js `connectivityState`; the numbering is the gRPC spec's). */
const Channel = { IDLE: 0, CONNECTING: 1, READY: 2, TRANSIENT_FAILURE: 3, SHUTDOWN: 4 } as const;

/** Raised into calls in flight when Temporal is found down while they wait. */
export class WentDownError extends Error {
  override readonly name = 'WentDownError';
}

/**
 * Whether Temporal can be reached, known from the gRPC channel's connectivity and from probes, so that callers
 * are answered at once while it is down instead of each waiting out its own timeout. A failed connection attempt
 * or a probe without an answer marks it down (unless the channel connected again while it waited); while down a
 * probe runs every `probeIntervalMs`, and the first answer, or the channel connecting again, marks it up. A dropped connection (READY → IDLE) or a call that found
 * Temporal unavailable triggers a probe right away.
 */
export class ConnectionState {
  private state: TemporalState = 'unknown';
  private since = new Date();
  private reason: string | null = null;
  private fastFailures = 0;
  private probing: Promise<void> | null = null;
  private generation = 0;
  /** Times a watched channel connected (became READY); a probe sent before the last one is out of date. */
  private connections = 0;
  /** False from reset() until the next watch(): the owner closed its connection, nothing may call on it. */
  private active = true;
  private readonly onDown = new Set<(reason: string) => void>();
  private readonly watched = new WeakSet<WatchableChannel>();
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;

  /** `probe` resolves when Temporal answers; it must bound itself by `probeTimeoutMs`. */
  constructor(private readonly probe: (timeoutMs: number) => Promise<unknown>, options: ConnectionStateOptions = {}) {
    this.probeIntervalMs = options.probeIntervalMs ?? 500;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 2_000;
  }

  snapshot(): TemporalReachability {
    return { state: this.state, since: this.since, reason: this.reason, fastFailures: this.fastFailures };
  }

  /** Count a call answered from the known state. */
  countFastFailure(): void {
    this.fastFailures += 1;
  }

  /**
   * A promise that rejects with a {@link WentDownError} when Temporal is marked down; `cancel` once the call
   * it guards has settled.
   */
  whenDown(): { promise: Promise<never>; cancel: () => void } {
    let listener: ((reason: string) => void) | undefined;
    const promise = new Promise<never>((_resolve, reject) => {
      listener = (reason) => reject(new WentDownError(reason));
      this.onDown.add(listener);
    });
    promise.catch(() => undefined);
    return { promise, cancel: () => listener && this.onDown.delete(listener) };
  }

  /** Follow the channel's connectivity from now on (once per channel; it stops when the channel shuts down). */
  watch(channel: WatchableChannel): void {
    this.active = true;
    if (this.watched.has(channel)) return;
    this.watched.add(channel);
    let previous = channel.getConnectivityState(false);
    const arm = (): void => {
      try {
        channel.watchConnectivityState(previous, Infinity, onChange);
      } catch {
        // the channel was closed
      }
    };
    const onChange = (): void => {
      const current = channel.getConnectivityState(false);
      if (current === Channel.SHUTDOWN) return;
      if (!this.active) {
        previous = current;
        arm();
        return;
      }
      if (current === Channel.READY && previous !== Channel.READY) this.connections += 1;
      if (current === Channel.TRANSIENT_FAILURE) this.markDown('the connection to Temporal failed');
      else if (current === Channel.READY && this.state === 'down') {
        // Connected again: calls go out from now on, as the one that reconnected did; the probe confirms (or finds
        // Temporal down again).
        this.markUp();
        this.check();
      } else if (current === Channel.IDLE && previous === Channel.READY) this.check();
      previous = current;
      arm();
    };
    arm();
  }

  /** Temporal answered. */
  markUp(): void {
    if (this.state === 'up') return;
    this.state = 'up';
    this.since = new Date();
    this.reason = null;
  }

  /** Temporal cannot be reached: calls in flight are told, and probing starts until it answers again. */
  markDown(reason: string): void {
    if (this.state !== 'down') {
      this.state = 'down';
      this.since = new Date();
    }
    this.reason = reason;
    for (const listener of [...this.onDown]) listener(reason);
    this.check();
  }

  /** Find out now (a probe), unless one is under way. */
  check(): void {
    if (this.probing || !this.active) return;
    const generation = this.generation;
    const current = (): boolean => generation === this.generation;
    this.probing = (async () => {
      while (current()) {
        const connectionsBefore = this.connections;
        try {
          await withinTime(this.probe(this.probeTimeoutMs), this.probeTimeoutMs + 500);
          if (current()) this.markUp();
          return;
        } catch (err) {
          if (!current()) return;
          if (!isUnavailability(err)) {
            this.markUp(); // Temporal answered, if only to refuse
            return;
          }
          // Sent before the channel connected again, it says nothing about the new connection: ask again at once.
          if (this.connections !== connectionsBefore) continue;
          this.markDown(`no answer from Temporal: ${firstLine(err)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, this.probeIntervalMs).unref());
      }
    })().finally(() => {
      if (current()) this.probing = null;
    });
  }

  /** Forget what is known and stop probing (the owner closed its connection; a later one starts afresh). */
  reset(): void {
    this.active = false;
    this.generation += 1;
    this.probing = null;
    this.state = 'unknown';
    this.since = new Date();
    this.reason = null;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error';
}
