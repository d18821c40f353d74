import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../../src/temporal/binaries';

/** Run a compiled entry point with `env` over this process's environment; its exit code and output. */
function runEntry(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'src', entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

test('every entry point loads its whole configuration first: a bad setting of any group stops it, naming the variable', async () => {
  // Nothing listens on this address: an entry point that got past its configuration would wait for Temporal, not exit.
  const bad = { TEMPORAL_ADDRESS: '127.0.0.1:9', LOG_LEVEL: 'loud', GATEWAY_REQUEST_TIMEOUT_MS: 'soon', DASHBOARD_POLL_MS: '1', OTEL_SDK_DISABLED: 'yes' };
  for (const entry of ['main.js', 'worker.js', 'gateway/server.js', 'temporal/setup-namespace.js']) {
    const { code, output } = await runEntry(entry, bad);
    assert.equal(code, 1, `${entry}:\n${output}`);
    for (const name of ['LOG_LEVEL', 'GATEWAY_REQUEST_TIMEOUT_MS', 'DASHBOARD_POLL_MS', 'OTEL_SDK_DISABLED']) {
      assert.ok(output.includes(`${name}: `), `${entry} names ${name}:\n${output}`);
    }
  }
});
