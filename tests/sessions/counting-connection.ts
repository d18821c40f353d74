/** A real Temporal connection that counts the gRPC calls sent on it, by method (it changes nothing else). */
import { Connection } from '@temporalio/client';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';

/** The connection and its counts. */
export interface CountingConnection {
  connection: Connection;
  /** Calls of one method (e.g. `ListWorkflowExecutions`), or of all when none is named. */
  calls(method?: string): number;
}

/** Connect to `address`, counting calls. */
export async function countingConnection(address: string): Promise<CountingConnection> {
  const counts = new Map<string, number>();
  const count: Interceptor = (options, next) => {
    const method = options.method_definition.path.split('/').at(-1) ?? '';
    counts.set(method, (counts.get(method) ?? 0) + 1);
    return new InterceptingCall(next(options));
  };
  const connection = await Connection.connect({ address, interceptors: [count] });
  return {
    connection,
    calls: (method) => (method ? (counts.get(method) ?? 0) : [...counts.values()].reduce((a, b) => a + b, 0)),
  };
}
