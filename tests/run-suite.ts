/**
 * `npm test`: starts one real Temporal dev server (in memory, free ports), the bundled model server (a free
 * loopback port; installed into .tools/model on first use) and bundles the workflows once, then runs every
 * compiled `*.test.js` under node:test with all three shared through the environment. Failed tests are recapped just
 * above node:test's summary, which stays the last thing printed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { passThroughHoldingSummary, recapOfFailures, recapReporterArgs } from './helpers/failure-recap';
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
    const failuresFile = path.join(dir, 'failures.ndjson');
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', '--test-force-exit', ...recapReporterArgs(failuresFile), ...files], {
      stdio: ['inherit', 'pipe', 'inherit'],
      env: { ...process.env, ...exportSharedServer({ address: server.address, bundlePath }), ...exportSharedModelServer(model) },
    });
    const tap = passThroughHoldingSummary(child.stdout, (line) => process.stdout.write(`${line}\n`));
    const code = await new Promise<number>((resolve) => child.once('exit', (exitCode) => resolve(exitCode ?? 1)));
    const reported = await readFile(failuresFile, 'utf8').catch(() => '');
    await tap.finish(recapOfFailures(reported, path.resolve(__dirname, '..', '..')));
    return code;
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
