import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../tracing/worker-tracing';

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
