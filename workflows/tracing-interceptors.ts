import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { SDK_TRACE_HEADER } from './trace-headers';
import type { TracedInterceptors } from './traced-interceptors';

type TracedModule = typeof import('./traced-interceptors');

/**
 * The SDK's OpenTelemetry workflow interceptors, used only for what arrives traced: a workflow started without a
 * trace header (tracing off in the client, or a session started before tracing existed) runs exactly as without
 * them, and the choice depends on history alone, so every worker replays it the same way.
 *
 * OpenTelemetry (about 115 modules) is loaded at a workflow's first traced call, not before: in the reused V8
 * context every workflow evaluates its modules afresh, and untraced workflows, the usual case, then skip that.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let traced: TracedInterceptors | null = null;
  const tracing = (): TracedInterceptors => {
    // A synchronous require, resolved by the bundler, is what keeps the load lazy and free of extra yields.
    // eslint-disable-next-line no-restricted-globals, @typescript-eslint/no-require-imports
    traced ??= (require('./traced-interceptors') as TracedModule).tracedInterceptors();
    return traced;
  };
  const isTraced = (headers: Record<string, unknown>): boolean => headers[SDK_TRACE_HEADER] !== undefined;
  return {
    inbound: [
      {
        execute: (input, next) => (isTraced(input.headers) ? tracing().inbound.execute!(input, next) : next(input)),
        handleSignal: (input, next) => (isTraced(input.headers) ? tracing().inbound.handleSignal!(input, next) : next(input)),
        validateUpdate: (input, next) => (isTraced(input.headers) ? tracing().inbound.validateUpdate!(input, next) : next(input)),
        handleUpdate: (input, next) => (isTraced(input.headers) ? tracing().inbound.handleUpdate!(input, next) : next(input)),
        handleQuery: (input, next) => (isTraced(input.headers) ? tracing().inbound.handleQuery!(input, next) : next(input)),
      },
    ],
    // Until a traced call came, nothing outbound is traced.
    outbound: [
      {
        scheduleActivity: (input, next) => (traced ? traced.outbound.scheduleActivity!(input, next) : next(input)),
        scheduleLocalActivity: (input, next) => (traced ? traced.outbound.scheduleLocalActivity!(input, next) : next(input)),
        startChildWorkflowExecution: (input, next) => (traced ? traced.outbound.startChildWorkflowExecution!(input, next) : next(input)),
        continueAsNew: (input, next) => (traced ? traced.outbound.continueAsNew!(input, next) : next(input)),
        signalWorkflow: (input, next) => (traced ? traced.outbound.signalWorkflow!(input, next) : next(input)),
        getLogAttributes: (input, next) => (traced ? traced.outbound.getLogAttributes!(input, next) : next(input)),
      },
    ],
    internals: [{ dispose: (input, next) => (traced ? traced.internals.dispose!(input, next) : next(input)) }],
  };
};
