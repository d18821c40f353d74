import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

/** `npm run bench -- --quick`: the whole benchmark at smoke size. Its figures are printed, never asserted. */
test('npm run bench -- --quick runs every measurement and writes the report with every goal', async () => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'bench-smoke-'));
  try {
    const child = spawn(process.execPath, [path.join(__dirname, 'run-bench.js'), '--quick', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, output.slice(-4_000));
    assert.match(output, /\[bench +\d+ s\]/, 'a progress line while it runs');
    const report = JSON.parse(await readFile(path.join(out, 'benchmarks.json'), 'utf8')) as { goals: { figure: string; met: boolean | null }[] };
    assert.equal(report.goals.length, 7, 'each goal of the issue has a row');
    assert.deepEqual(report.goals.filter((row) => row.met === null).map((row) => row.figure), [], 'every figure was measured');
    const markdown = await readFile(path.join(out, 'benchmarks.md'), 'utf8');
    assert.match(markdown, /\| figure \| measured \| goal \|/);
    assert.match(markdown, /## Sessions waiting in review/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
