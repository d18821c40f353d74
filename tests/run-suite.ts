/**
 * `npm test`: starts one real Temporal dev server (in memory, free ports) and bundles the workflows once,
 * then runs every compiled `*.test.js` under node:test with both shared through the environment.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
  const [server, bundlePath] = await Promise.all([startSuiteServer(), bundleWorkflowsToFile(dir)]);
  console.log(`# suite: Temporal dev server on ${server.address}, workflows bundled, in ${Date.now() - started} ms`);
  try {
    const files = await testFiles(__dirname);
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
      stdio: 'inherit',
      env: { ...process.env, ...exportSharedServer({ address: server.address, bundlePath }) },
    });
    return await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  } finally {
    await server.stop();
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
