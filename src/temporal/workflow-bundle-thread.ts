/**
 * The body of the thread that {@link bundleWorkflowsInThread} starts: bundles the session workflows with webpack
 * and posts back `{ code }`, or `{ error }`; webpack's warnings and errors are posted as `{ log }` on the way.
 */
import { parentPort } from 'node:worker_threads';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../tracing/worker-tracing';
import type { BundleThreadMessage } from './bundle-workflows';

function post(message: BundleThreadMessage): void {
  parentPort?.postMessage(message);
}

const forward = (level: 'warn' | 'error') => (message: string, meta?: Record<string, unknown>) => post({ log: { level, message, meta } });
const ignore = (): void => undefined;

bundleWorkflowCode({
  workflowsPath: require.resolve('../../workflows'),
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  logger: { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: forward('warn'), error: forward('error') },
}).then(
  ({ code }) => post({ code }),
  (err: unknown) => post({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
);
