import { isGrpcServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { GrpcCode } from '../temporal/grpc-status';

/** gRPC codes that mean "Temporal did not answer", as opposed to "Temporal said no". */
const UNAVAILABLE_CODES = new Set<number>([GrpcCode.UNAVAILABLE, GrpcCode.DEADLINE_EXCEEDED, GrpcCode.CANCELLED]);

/**
 * Whether the error says Temporal could not be reached or did not answer in time (as opposed to a refusal):
 * a gRPC UNAVAILABLE / DEADLINE_EXCEEDED / CANCELLED anywhere in the cause chain, an update call that timed
 * out, a connection that could not be established, or a {@link DeadlineError}.
 */
export function isUnavailability(err: unknown): boolean {
  for (let current = err, depth = 0; current && depth < 8; depth += 1) {
    if (current instanceof DeadlineError || current instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(current)) return UNAVAILABLE_CODES.has(current.code);
    const message = current instanceof Error ? current.message : '';
    if (/Failed to connect before the deadline|No connection established|connect ECONNREFUSED/i.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** A call outlived the time it was given. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/**
 * `promise`, or a {@link DeadlineError} after `timeoutMs`: the guarantee that a caller gets an answer in bounded
 * time even where a deadline cannot reach (connecting, backoff between retries). The promise itself runs on;
 * its eventual rejection is observed so that it never surfaces as unhandled.
 */
export function withinTime<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(timeoutMs)), timeoutMs);
    timer.unref();
  });
  promise.catch(() => undefined);
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

/**
 * Runs calls under a gRPC deadline and a timer, and remembers those not settled yet, so that a connection is
 * closed only once they have (the client retries UNAVAILABLE calls on a timer, and a retry on a closed channel
 * throws where nobody can catch it).
 */
export class BoundedCalls {
  private readonly inFlight = new Set<Promise<unknown>>();

  /** `fn` with every call on `connection` inside it bounded by `timeoutMs`; a DeadlineError a second after. */
  run<T>(connection: { withDeadline<R>(deadline: number, fn: () => Promise<R>): Promise<R> }, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
    const call = connection.withDeadline(Date.now() + timeoutMs, fn);
    this.inFlight.add(call);
    const forget = (): boolean => this.inFlight.delete(call);
    call.then(forget, forget);
    return withinTime(call, timeoutMs + 1_000);
  }

  /** Resolves once every call has settled (or after `maxWaitMs`). */
  async settled(maxWaitMs = 30_000): Promise<void> {
    if (this.inFlight.size === 0) return;
    await withinTime(Promise.allSettled([...this.inFlight]), maxWaitMs).catch(() => undefined);
  }
}
