import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OutputBuffer } from '../../activities/runner/output-buffer';
import { runChild } from '../../activities/runner/run-child';
import { redactSecrets, secretValues } from '../../activities/runner/redact';
import { resolveSandbox, type SandboxMode } from '../../activities/runner/sandbox';
import { processAlive } from '../helpers/processes';

const modes: SandboxMode[] = ['none', 'auto'];

void describe('running generated code', () => {
  let base: string;
  let workDir: string;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'runner-test-'));
    workDir = path.join(base, 'sess_runnerTest');
    await mkdir(path.join(workDir, 'docs'), { recursive: true });
  });
  after(() => rm(base, { recursive: true, force: true }));

  for (const mode of modes) {
    void test(`${mode}: a timeout kills the whole process tree, grandchildren included`, async (t) => {
      const sandbox = await resolveSandbox(mode, 'nobody');
      t.diagnostic(`isolation ${sandbox.isolation}${sandbox.notice ? ` (${sandbox.notice})` : ''}`);
      const marker = `${Math.floor(Math.random() * 1e6)}`;
      const started = Date.now();
      let ticks = 0;
      const result = await runChild({
        command: 'bash',
        args: ['-c', `(sleep 300.${marker} &) ; sleep 301.${marker} & echo started; wait`],
        workDir,
        timeoutMs: 1_200,
        outputLimitBytes: 4096,
        sandbox,
        onTick: () => (ticks += 1),
      });
      assert.equal(result.timedOut, true);
      assert.ok(Date.now() - started < 6_000, 'stopped promptly');
      assert.match(result.output, /started/);
      assert.ok(ticks >= 1, 'heartbeat ticks while the child runs');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await processAlive(`300.${marker}`), false, 'the detached grandchild is gone');
      assert.equal(await processAlive(`301.${marker}`), false, 'the background child is gone');
    });

    void test(`${mode}: never root, scrubbed environment, cwd is the work directory`, async () => {
      process.env.TEMPORAL_ADDRESS_FOR_TEST = 'leak';
      process.env.OPENAI_API_KEY_FOR_TEST = 'sk-leak';
      try {
        const sandbox = await resolveSandbox(mode, 'nobody');
        const result = await runChild({ command: 'bash', args: ['-c', 'id -u; pwd; env'], workDir, timeoutMs: 10_000, outputLimitBytes: 65_536, sandbox });
        assert.equal(result.exitCode, 0, result.output);
        const [uid, cwd] = result.output.split('\n');
        assert.notEqual(uid, '0', 'the child is not root');
        assert.equal(cwd, workDir);
        assert.doesNotMatch(result.output, /TEMPORAL_|OPENAI_|leak/);
        assert.match(result.output, /^PATH=/m);
      } finally {
        delete process.env.TEMPORAL_ADDRESS_FOR_TEST;
        delete process.env.OPENAI_API_KEY_FOR_TEST;
      }
    });
  }

  void test('with bubblewrap: the host loopback is unreachable, docs/ is read-only, the project is writable', async (t) => {
    const sandbox = await resolveSandbox('auto', 'nobody');
    if (sandbox.isolation !== 'bwrap') return t.skip(`bubblewrap unavailable: ${sandbox.notice}`);
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const probe = `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo net-reached || echo net-unreachable`;
      const script = `touch made-by-child.txt && echo project-writable; touch docs/x 2>/dev/null || echo docs-readonly; ${probe}`;
      const result = await runChild({ command: 'bash', args: ['-c', script], workDir, timeoutMs: 10_000, outputLimitBytes: 65_536, sandbox });
      assert.match(result.output, /project-writable/);
      assert.match(result.output, /docs-readonly/);
      assert.match(result.output, /net-unreachable/);
      assert.ok((await stat(path.join(workDir, 'made-by-child.txt'))).isFile());
      const unsandboxed = await runChild({ command: 'bash', args: ['-c', probe], workDir, timeoutMs: 10_000, outputLimitBytes: 4096, sandbox: await resolveSandbox('none', 'nobody') });
      assert.match(unsandboxed.output, /net-reached/, 'the same probe reaches the server without the sandbox');
    } finally {
      server.close();
    }
  });

  void test('a child cannot rename or delete the protected entries, nor get a host file through a symlink', async (t) => {
    const sandbox = await resolveSandbox('none', 'nobody');
    if (sandbox.uid === undefined) return t.skip('the worker is not root, so children run as its own user');
    const hostFile = path.join(base, 'host-secret.txt');
    await writeFile(hostFile, 'host');
    await writeFile(path.join(workDir, 'scaffold.sh'), 'true\n');
    await mkdir(path.join(workDir, 'logs'), { recursive: true });
    await mkdir(path.join(workDir, 'src'), { recursive: true });
    await symlink(hostFile, path.join(workDir, 'src', 'planted'));
    const script = 'mv docs docs.moved || echo docs-kept; mv scaffold.sh gone.sh || echo scaffold-kept; rm -rf logs || echo logs-kept; touch new-file && echo created';
    const result = await runChild({ command: 'bash', args: ['-c', script], workDir, timeoutMs: 10_000, outputLimitBytes: 65_536, sandbox });
    assert.match(result.output, /docs-kept/);
    assert.match(result.output, /scaffold-kept/);
    assert.match(result.output, /logs-kept/);
    assert.match(result.output, /created/);
    const dir = await stat(workDir);
    assert.equal(dir.uid, process.getuid?.(), 'the work directory stays the worker\'s');
    assert.equal(dir.mode & 0o7777, 0o1770);
    assert.equal((await stat(hostFile)).uid, process.getuid?.(), 'the symlink target was not handed to the child');
    assert.equal((await stat(path.join(workDir, 'new-file'))).uid, sandbox.uid);
  });

  void test('an abort (cancellation) kills the child and rejects with the reason', async () => {
    const sandbox = await resolveSandbox('auto', 'nobody');
    const marker = `${Math.floor(Math.random() * 1e6)}`;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by test')), 500);
    await assert.rejects(
      runChild({ command: 'sleep', args: [`302.${marker}`], workDir, timeoutMs: 60_000, outputLimitBytes: 4096, sandbox, signal: controller.signal }),
      /cancelled by test/,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await processAlive(`302.${marker}`), false);
  });

  void test('output is capped, keeping the head and the tail', async () => {
    const sandbox = await resolveSandbox('auto', 'nobody');
    const result = await runChild({
      command: 'bash',
      args: ['-c', 'echo FIRST; for i in $(seq 1 20000); do echo "line $i"; done; echo LAST'],
      workDir,
      timeoutMs: 10_000,
      outputLimitBytes: 2048,
      sandbox,
    });
    assert.equal(result.truncated, true);
    assert.ok(result.outputBytes > 100_000);
    assert.ok(result.output.length < 2_200);
    assert.match(result.output, /^FIRST/);
    assert.match(result.output, /LAST\n$/);
    assert.match(result.output, /bytes of output omitted/);
  });
});

void test('without bubblewrap the fallback is explicit, and RUN_SANDBOX=bwrap refuses to run', () => {
  const sandboxModule = require.resolve('../../activities/runner/sandbox');
  const script = `process.env.PATH = '/nonexistent';
    const { resolveSandbox } = require(${JSON.stringify(sandboxModule)});
    Promise.all([resolveSandbox('auto', 'nobody'), resolveSandbox('bwrap', 'nobody').catch((err) => err.message)])
      .then((results) => console.log(JSON.stringify(results)));`;
  const [auto, required] = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as [{ isolation: string; notice: string }, string];
  assert.notEqual(auto.isolation, 'bwrap');
  assert.match(auto.notice, /bubblewrap \(bwrap\) is not installed; children run as \S+ in their own process group, without namespace isolation/);
  assert.match(required, /RUN_SANDBOX=bwrap but bubblewrap \(bwrap\) is not installed/);
});

void test('a non-root worker without bubblewrap refuses untrusted code unless RUN_SANDBOX=none', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to start the probe as another user');
  // nobody may not be able to reach the checkout (a fresh clone in a 0700 temp dir): give it its own readable copy.
  const readable = mkdtempSync(path.join(os.tmpdir(), 'sandbox-probe-'));
  chmodSync(readable, 0o755);
  const sandboxModule = path.join(readable, 'sandbox.js');
  copyFileSync(require.resolve('../../activities/runner/sandbox'), sandboxModule);
  chmodSync(sandboxModule, 0o644);
  t.after(() => rmSync(readable, { recursive: true, force: true }));
  const script = `process.env.PATH = '/nonexistent';
    const { resolveSandbox, untrustedCodeRefusal } = require(${JSON.stringify(sandboxModule)});
    Promise.all([resolveSandbox('auto', 'nobody'), resolveSandbox('none', 'nobody')])
      .then((sandboxes) => console.log(JSON.stringify(sandboxes.map((s) => [s.isolation, untrustedCodeRefusal(s)]))));`;
  const setpriv = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, '-e', script];
  const [auto, none] = JSON.parse(execFileSync('setpriv', setpriv, { encoding: 'utf8', cwd: '/' })) as [string, string | null][];
  assert.equal(auto?.[0], 'worker-user');
  assert.match(auto?.[1] ?? '', /children would run as the worker's own user nobody without bubblewrap.*RUN_SANDBOX=none/);
  assert.deepEqual(none, ['worker-user', null], 'RUN_SANDBOX=none is the explicit opt-out');
});

void test('secrets are redacted from kept output: passed-through variables and known API keys', () => {
  const env = { AGENT_KEY: 'agent-secret-123', OPENAI_API_KEY: 'sk-worker-secret', GH_TOKEN: 'ghp_abcdefgh', SHORT: 'yes', HOME: '/root' };
  const secrets = secretValues(['AGENT_KEY', 'SHORT'], env);
  const output = 'using agent-secret-123 and sk-worker-secret and ghp_abcdefgh; yes, in /root';
  assert.equal(redactSecrets(output, secrets), 'using [redacted AGENT_KEY] and [redacted OPENAI_API_KEY] and [redacted GH_TOKEN]; yes, in /root');
});

void test('OutputBuffer keeps everything under the limit', () => {
  const buffer = new OutputBuffer(100);
  buffer.write(Buffer.from('hello '));
  buffer.write(Buffer.from('world'));
  assert.equal(buffer.toString(), 'hello world');
  assert.equal(buffer.truncated, false);
});
