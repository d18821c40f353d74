import { isGrpcServiceError } from '@temporalio/client';

/** gRPC status codes used here (from the gRPC spec; stable across implementations). */
export const GrpcCode = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;

/** A gRPC status code anywhere in the error's `cause` chain, or null. */
export function grpcCodeOf(err: unknown): number | null {
  for (let current = err, depth = 0; current && depth < 8; depth += 1) {
    if (isGrpcServiceError(current)) return current.code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
