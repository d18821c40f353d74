import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../tracing/worker-tracing';
import type { Logger } from 'pino';

/**
 * Bundle the session workflows into one file that a worker loads with `WORKFLOW_BUNDLE_PATH`, so it starts
 * without running webpack (the Docker image does this at build time). Returns the bundle's size in bytes.
 */
export async function writeWorkflowBundle(outFile: string): Promise<number> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  });
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, code);
  return Buffer.byteLength(code);
}

/** What the bundling thread posts (src/temporal/workflow-bundle-thread.ts). */
export type BundleThreadMessage =
  | { code: string }
  | { error: string }
  | { log: { level: 'warn' | 'error'; message: string; meta?: Record<string, unknown> } };

/**
 * The session workflows' bundle, built by webpack in a worker thread: the second or so of CPU it takes (several on
 * a busy machine) then never stalls this thread's event loop, nor a gateway answering in the same process.
 * Webpack's warnings and errors go to `logger`.
 */
export function bundleWorkflowsInThread(logger: Logger): Promise<string> {
  return new Promise((resolve, reject) => {
    const thread = new Thread(path.join(__dirname, 'workflow-bundle-thread.js'));
    let settled = false;
    thread.on('message', (message: BundleThreadMessage) => {
      if ('log' in message) {
        logger[message.log.level]({ sdk: true, ...message.log.meta }, message.log.message);
        return;
      }
      settled = true;
      if ('code' in message) resolve(message.code);
      else reject(new Error(`bundling the workflows failed: ${message.error}`));
      void thread.terminate();
    });
    thread.once('error', (err) => {
      settled = true;
      reject(err);
    });
    thread.once('exit', (code) => {
      if (!settled) reject(new Error(`the workflow bundling thread exited with code ${code} before it answered`));
    });
  });
}

/** `npm run build:bundle [file]`: writes dist/workflow-bundle.js unless told otherwise. */
async function main(): Promise<void> {
  const outFile = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'workflow-bundle.js'));
  const bytes = await writeWorkflowBundle(outFile);
  process.stdout.write(`workflow bundle: ${outFile} (${bytes} bytes)\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
