/**
 * `npm test`: starts one real Temporal dev server (in memory, free ports), the bundled model server (a free
 * loopback port; installed into .tools/model on first use) and bundles the workflows once, then runs every
 * compiled `*.test.js` under node:test with all three shared through the environment.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exportSharedModelServer, startSuiteModelServer } from './helpers/model-server';
import { bundleWorkflowsToFile, exportSharedServer, startSuiteServer } from './helpers/test-server';

async function testFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.js'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !process.argv[2] || file.includes(process.argv[2]))
    .sort();
}

async function main(): Promise<number> {
  const started = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-suite-'));
  const [server, bundlePath, model] = await Promise.all([startSuiteServer(), bundleWorkflowsToFile(dir), startSuiteModelServer()]);
  console.log(`# suite: Temporal dev server on ${server.address}, workflows bundled, in ${Date.now() - started} ms`);
  console.log(`# suite: model server (${model.model}) on ${model.baseUrl}, listening after ${model.startSeconds} s`);
  try {
    const files = await testFiles(__dirname);
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', '--test-force-exit', ...files], {
      stdio: 'inherit',
      env: { ...process.env, ...exportSharedServer({ address: server.address, bundlePath }), ...exportSharedModelServer(model) },
    });
    return await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  } finally {
    await Promise.all([server.stop(), model.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
