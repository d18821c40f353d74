import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { Orchestrator, SessionStatus } from '../src/orchestration/orchestrator';
import { projectRoot } from '../src/temporal/binaries';
import { freePort } from './helpers/free-port';

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `ownGroup`: in a process group of its own, as a terminal runs it (Ctrl-C reaches the dev server too). */
function startMain(env: Record<string, string>, ownGroup = false): Started {
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'src', 'main.js')], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownGroup,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitReady(url: string, started: Started): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (started.child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`not ready at ${url}:\n${started.output()}`);
}

async function stopMain(started: Started): Promise<void> {
  started.child.kill('SIGTERM');
  const code = await Promise.race([started.exited, sleep(30_000).then(() => 'timeout' as const)]);
  assert.equal(code, 0, `clean exit after SIGTERM:\n${started.output().slice(-2_000)}`);
  assert.match(started.output(), /"msg":"stopped"/);
}

test('npm start: embedded server, worker and gateway; SIGTERM stops all; a second start resumes the session', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-main-'));
  await chmod(dir, 0o755); // generated code runs as an unprivileged user, who must reach the work directory
  const ports = { temporal: await freePort(), ui: await freePort(), gateway: await freePort() };
  const env = {
    ORCHESTRATOR_DB_PATH: path.join(dir, 'data', 'orchestrator.db'),
    WORK_DIR_BASE: path.join(dir, 'projects'),
    TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    PORT: String(ports.gateway),
    TEMPORAL_ADDRESS: '',
  };
  const orchestrator = new Orchestrator({ temporalPort: ports.temporal, workDirBase: env.WORK_DIR_BASE, temporalAddress: undefined });
  let started = startMain(env);
  try {
    await waitReady(`http://127.0.0.1:${ports.gateway}/readyz`, started);
    const ui = await fetch(`http://127.0.0.1:${ports.ui}/`);
    assert.equal(ui.status, 200, 'the Temporal Web UI is served');
    assert.match(started.output(), /"searchAttributesAdded":\["SessionStatus"/);

    const id = await orchestrator.startNewSession('Build a resumable service', 'resume');
    let info = await orchestrator.getSessionStatus(id);
    for (let i = 0; i < 1200 && info.status !== SessionStatus.AWAITING_APPROVAL; i += 1) {
      await sleep(50);
      info = await orchestrator.getSessionStatus(id);
    }
    assert.equal(info.status, SessionStatus.AWAITING_APPROVAL);
    await orchestrator.close();
    await stopMain(started);

    started = startMain(env);
    await waitReady(`http://127.0.0.1:${ports.gateway}/readyz`, started);
    assert.match(started.output(), /"searchAttributesAdded":\[\]/, 'the existing database already has them');
    assert.equal((await orchestrator.getSessionStatus(id)).status, SessionStatus.AWAITING_APPROVAL);
    await orchestrator.approveAndContinue(id);
    for (let i = 0; i < 1200 && info.status !== SessionStatus.COMPLETED; i += 1) {
      await sleep(50);
      info = await orchestrator.getSessionStatus(id);
    }
    assert.equal(info.status, SessionStatus.COMPLETED, await orchestrator.getRecentLogs(id, 30));
    await orchestrator.close();
    await stopMain(started);
  } finally {
    started.child.kill('SIGKILL');
    await orchestrator.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('npm start: a dev server killed with -9 is restarted on the same database, readiness 503 meanwhile, and a session started before goes on', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-main-restart-'));
  await chmod(dir, 0o755);
  const ports = { temporal: await freePort(), gateway: await freePort() };
  const env = {
    ORCHESTRATOR_DB_PATH: path.join(dir, 'data', 'orchestrator.db'),
    WORK_DIR_BASE: path.join(dir, 'projects'),
    TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(await freePort()),
    PORT: String(ports.gateway),
    TEMPORAL_ADDRESS: '',
  };
  const readyz = `http://127.0.0.1:${ports.gateway}/readyz`;
  const orchestrator = new Orchestrator({ temporalPort: ports.temporal, workDirBase: env.WORK_DIR_BASE, temporalAddress: undefined });
  const started = startMain(env, true);
  try {
    await waitReady(readyz, started);
    const pid = Number(/"pid":(\d+),"msg":"embedded Temporal dev server started"/.exec(started.output())?.[1]);
    assert.ok(pid > 0, `the dev server's pid is logged:\n${started.output()}`);
    const id = await orchestrator.startNewSession('Outlive the dev server', 'restart');
    let info = await orchestrator.getSessionStatus(id);
    for (let i = 0; i < 1200 && info.status !== SessionStatus.AWAITING_APPROVAL; i += 1) {
      await sleep(50);
      info = await orchestrator.getSessionStatus(id);
    }
    assert.equal(info.status, SessionStatus.AWAITING_APPROVAL);

    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    let notReady: number | null = null;
    let readyAgain: number | null = null;
    while (Date.now() - killedAt < 90_000 && readyAgain === null) {
      const status = (await fetch(readyz)).status;
      if (status === 503) notReady ??= Date.now() - killedAt;
      else if (status === 200 && notReady !== null) readyAgain = Date.now() - killedAt;
      await sleep(50);
    }
    assert.notEqual(notReady, null, 'readiness answered 503 while the dev server was down');
    assert.notEqual(readyAgain, null, `readiness answered 200 again:\n${started.output().slice(-3_000)}`);
    console.log(`# dev server killed: /readyz 503 after ${notReady} ms, 200 again after ${readyAgain} ms`);
    assert.match(started.output(), /"signal":"SIGKILL".*"msg":"embedded Temporal dev server exited; restarting it on the same database"/);
    // Readiness can see the new server a moment before the supervisor logs that it is back.
    const restarted = /"attempt":1,"maxAttempts":5.*"msg":"embedded Temporal dev server restarted"/;
    for (let i = 0; i < 300 && !restarted.test(started.output()); i += 1) await sleep(50);
    assert.match(started.output(), restarted);
    assert.equal(started.child.exitCode, null, 'npm start kept running');

    assert.equal((await orchestrator.getSessionStatus(id)).status, SessionStatus.AWAITING_APPROVAL, 'the session is in the same database');
    await orchestrator.approveAndContinue(id, { timeoutMs: 30_000 });
    for (let i = 0; i < 1200 && info.status !== SessionStatus.COMPLETED; i += 1) {
      await sleep(50);
      info = await orchestrator.getSessionStatus(id);
    }
    assert.equal(info.status, SessionStatus.COMPLETED, await orchestrator.getRecentLogs(id, 30));
    await orchestrator.close();

    process.kill(-(started.child.pid ?? 0), 'SIGINT'); // Ctrl-C: the whole group, dev server included
    const code = await Promise.race([started.exited, sleep(30_000).then(() => 'timeout' as const)]);
    assert.equal(code, 0, `clean exit after Ctrl-C:\n${started.output().slice(-2_000)}`);
    assert.equal(started.output().match(/restarting it on the same database/g)?.length, 1, 'a dev server stopped by Ctrl-C is not restarted');
  } finally {
    if (started.child.exitCode === null) process.kill(-(started.child.pid ?? 0), 'SIGKILL');
    await orchestrator.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a bad setting stops start-up with a message naming the variable', async () => {
  const started = startMain({ MAX_ITERATIONS: 'lots' });
  const code = await started.exited;
  assert.equal(code, 1);
  assert.match(started.output(), /MAX_ITERATIONS \(maxIterations\)/);
});
