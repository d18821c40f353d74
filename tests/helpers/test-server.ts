import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { type DevServer, startDevServer } from '../../src/temporal/dev-server';
import { freePort } from './free-port';
import { prepareNamespace } from '../../src/temporal/namespace';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/tracing/worker-tracing';

/** Namespaces the suite's server has, each prepared for sessions. */
export const TEST_NAMESPACES = ['default', 'capacity'] as const;

/** What every test file shares: one real dev server and one workflow bundle. */
export interface SharedTestServer {
  address: string;
  bundlePath: string;
}

const ADDRESS_ENV = 'ORCHESTRATOR_TEST_TEMPORAL_ADDRESS';
const BUNDLE_ENV = 'ORCHESTRATOR_TEST_WORKFLOW_BUNDLE';

/** Bundle the workflows once to a file that workers load with `workflowBundle: { codePath }`. */
export async function bundleWorkflowsToFile(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  await writeFile(bundlePath, code);
  return bundlePath;
}

/** Start an in-memory dev server on free ports, with every test namespace prepared. */
export async function startSuiteServer(unref = false): Promise<DevServer> {
  const server = await startDevServer({ port: await freePort(), uiPort: null, dbPath: null, namespaces: ['capacity'], unref });
  const connection = await Connection.connect({ address: server.address });
  try {
    for (const namespace of TEST_NAMESPACES) await prepareNamespace(connection, namespace, 1);
  } finally {
    await connection.close();
  }
  return server;
}

/** Export the shared server to child processes (the suite runner does this). */
export function exportSharedServer(shared: SharedTestServer): Record<string, string> {
  return { [ADDRESS_ENV]: shared.address, [BUNDLE_ENV]: shared.bundlePath };
}

let standalone: Promise<SharedTestServer> | null = null;
let runtimeInstalled = false;

/** Keep the SDK's worker chatter (state changes, bundling) out of the test report. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/**
 * The suite's shared server, or, when a test file runs on its own, a server of this process's own that
 * stops when the process exits.
 */
export function sharedTestServer(): Promise<SharedTestServer> {
  quietRuntime();
  const address = process.env[ADDRESS_ENV];
  const bundlePath = process.env[BUNDLE_ENV];
  if (address && bundlePath) return Promise.resolve({ address, bundlePath });
  standalone ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-test-'));
    const [server, bundle] = await Promise.all([startSuiteServer(true), bundleWorkflowsToFile(dir)]);
    return { address: server.address, bundlePath: bundle };
  })();
  return standalone;
}
