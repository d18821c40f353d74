/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createActivities } from '../../activities';
import { AgentFailureType, environmentFaultOf } from '../../activities/failures';
import { preflight } from '../../activities/preflight';
import { isFinalAttempt, limitAttempts } from '../../activities/retry-limit';
import { resolveConfig } from '../../src/config';
import { redactCredentials } from '../../src/redaction';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { GatewayHarness, metricValue } from '../gateway/gateway-harness';
import { SessionHarness } from '../helpers/session-harness';
import { sharedTestServer } from '../helpers/test-server';

const isRoot = process.getuid?.() === 0;
const ROOT_ONLY = isRoot ? false : 'skipped: needs a root worker whose children drop to RUN_AS_USER (the suite does not run as root here)';

/** A directory others cannot traverse (as `mktemp -d` makes), with the work directory base below it. */
async function lockedBase(): Promise<{ locked: string; workDirBase: string }> {
  const locked = await mkdtemp(path.join(os.tmpdir(), 'locked-'));
  await chmod(locked, 0o700);
  const workDirBase = path.join(locked, 'projects');
  await mkdir(workDirBase);
  return { locked, workDirBase };
}

const stamp = /^\S+ /;

void describe('environment faults retry while the session stays running; the fixed environment completes it', () => {
  let locked: string;
  let workDirBase: string;
  before(async () => ({ locked, workDirBase } = await lockedBase()));
  after(() => rm(locked, { recursive: true, force: true }));

  void test('a sandbox that cannot reach the work directory: last_error, then a correct worker completes the session', { skip: ROOT_ONLY }, async () => {
    const gw = await GatewayHarness.start({ config: { workDirBase, maxActiveSessions: 10_000 } });
    try {
      const id = await gw.orchestrator.startNewSession('Build a todo API');
      await gw.sessions.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await gw.orchestrator.approveAndContinue(id);
      const retrying = await gw.sessions.waitFor(id, (info) => (info.lastError?.attempt ?? 0) >= 3, 60_000);
      assert.equal(retrying.status, SessionStatus.RUNNING, 'an environment fault never fails the session');
      assert.equal(retrying.lastError?.phase, 'engineer');
      assert.equal(retrying.lastError?.reason, AgentFailureType.SANDBOX_UNAVAILABLE);
      assert.match(retrying.lastError?.message ?? '', /not traversable by nobody.*chmod o\+x/);

      const rest = await gw.request('GET', `/sessions/${id}`);
      assert.equal(rest.json.last_error.phase, 'engineer');
      assert.equal(rest.json.last_error.reason, 'SandboxUnavailable');
      // The gateway describes running sessions for their retries in the background: poll until it has.
      let retries: number | null = null;
      for (let scrape = 0; scrape < 100 && (retries ?? 0) < 2; scrape += 1) {
        const metrics = await gw.request('GET', '/metrics', { unchecked: true });
        retries = metricValue(metrics.text, 'phase_retries_total{phase="engineer",reason="SandboxUnavailable"}');
        if ((retries ?? 0) < 2) await sleep(200);
      }
      assert.ok(retries !== null && retries >= 2, `phase_retries_total counted ${retries}`);

      await gw.sessions.stopWorker();
      await chmod(locked, 0o755);
      await gw.sessions.startWorker();
      const done = await gw.sessions.waitForStatus(id, SessionStatus.COMPLETED, 90_000);
      assert.equal(done.qaPassed, true);
      assert.equal(done.lastError, null);

      const log = await gw.orchestrator.getRecentLogs(id, 1000);
      const lines = log.trim().split('\n').map((line) => line.replace(stamp, ''));
      assert.deepEqual(lines.filter((line, i) => lines.indexOf(line) !== i), [], `no duplicated log lines:\n${log}`);
      const failures = lines.filter((line) => line.includes('(SandboxUnavailable)'));
      assert.equal(failures.length, 1, `the first failure is logged once, not once per attempt:\n${log}`);
      assert.match(log, /\[qa\] QA passed/);
    } finally {
      await chmod(locked, 0o700);
      await gw.close();
    }
  });

  void test('`npm run worker` with the same setting refuses to start, names the problem and the fix, and polls nothing', { skip: ROOT_ONLY }, async () => {
    const { address } = await sharedTestServer();
    const taskQueue = `preflight-${randomUUID()}`;
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../src/worker.js')], {
      env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: taskQueue, WORK_DIR_BASE: workDirBase, RUN_AS_USER: 'nobody' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.notEqual(code, 0, output);
    assert.match(output, /Preflight failed, so this worker polls nothing: \[child-access\]/);
    assert.match(output, /not traversable by nobody.*run \\?"chmod o\+x/);

    const harness = await SessionHarness.start({ worker: false, config: { taskQueue } });
    try {
      const described = await harness.client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      assert.equal(described.pollers?.length ?? 0, 0, 'no poller ever reached the task queue');
    } finally {
      await harness.close();
    }
  });
});

void describe('which failures retry, and for how long', () => {
  let attempts = 0;
  const failing = (type: string) => (): Promise<never> => {
    attempts += 1;
    return Promise.reject(ApplicationFailure.create({ message: `simulated ${type}`, type, nonRetryable: false, nextRetryDelay: 10 }));
  };

  void test('an ordinary failure gets 5 attempts, then the session fails', async () => {
    attempts = 0;
    const harness = await SessionHarness.start({ activities: { pm: failing('Boom') } });
    try {
      const id = await harness.orchestrator.startNewSession('Build a broken thing');
      const failed = await harness.waitForStatus(id, SessionStatus.FAILED, 30_000);
      assert.equal(failed.currentPhase, 'pm');
      assert.equal(attempts, 5);
    } finally {
      await harness.close();
    }
  });

  void test('environment faults do not use up the 5 attempts: six of them, one ordinary failure, then success', async () => {
    let calls = 0;
    const secret = 'sk-abcdefghijklmnopqrstu';
    const harness = await SessionHarness.start({
      activities: {
        pm: async (input) => {
          calls += 1;
          if (calls <= 6) {
            throw ApplicationFailure.create({
              message: `cannot reach http://model:8000 (Authorization: Bearer ${secret}, {"api_key": "abcd1234efgh"})`,
              type: AgentFailureType.PROVIDER_UNAVAILABLE,
              nonRetryable: false,
              nextRetryDelay: 300,
            });
          }
          if (calls === 7) {
            throw ApplicationFailure.create({ message: 'an ordinary failure after the endpoint came back', type: 'Boom', nonRetryable: false, nextRetryDelay: 100 });
          }
          return createActivities().pm(input);
        },
      },
    });
    try {
      const id = await harness.orchestrator.startNewSession('Build a flaky thing');
      const retrying = await harness.waitFor(id, (info) => (info.lastError?.attempt ?? 0) >= 2, 20_000);
      assert.equal(retrying.lastError?.reason, AgentFailureType.PROVIDER_UNAVAILABLE);
      assert.doesNotMatch(retrying.lastError?.message ?? '', /abcdefghijklmnop|abcd1234efgh/, 'credentials never reach last_error');
      const history = JSON.stringify(await harness.client.workflow.getHandle(id).fetchHistory());
      assert.doesNotMatch(history, /abcdefghijklmnop|abcd1234efgh/, 'nor the history');
      const review = await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL, 30_000);
      assert.equal(review.reviewRound, 1);
      assert.equal(calls, 8, 'six environment faults and one ordinary failure, then the eighth attempt succeeded');
    } finally {
      await harness.close();
    }
  });

  void test('attempts that time out count as ordinary failures: five, and the phase fails', async () => {
    let calls = 0;
    const harness = await SessionHarness.start({
      config: { pmTimeoutSeconds: 1 },
      activities: {
        pm: async () => {
          calls += 1;
          await sleep(10_000);
          throw new Error('unreachable: the attempt timed out first');
        },
      },
    });
    try {
      const id = await harness.orchestrator.startNewSession('Build a hanging thing');
      const failed = await harness.waitForStatus(id, SessionStatus.FAILED, 90_000);
      assert.equal(failed.currentPhase, 'pm');
      assert.equal(calls, 5, 'five attempts ran; the sixth saw five silent ends and gave up');
      assert.match((await harness.state(id)).failureReason ?? '', /5 attempts of pm failed, timed out or lost their worker/);
    } finally {
      await harness.close();
    }
  });

  void test('the limit, the classification of operating-system errors and the redaction, one by one', () => {
    assert.equal(isFinalAttempt(new Error('x'), 4), false);
    assert.equal(isFinalAttempt(new Error('x'), 5), true);
    assert.equal(isFinalAttempt(ApplicationFailure.create({ type: AgentFailureType.SANDBOX_UNAVAILABLE, nonRetryable: false }), 500), false);
    const limited = limitAttempts(new Error('plain'), 5);
    assert.ok(limited instanceof ApplicationFailure && limited.nonRetryable && /after 5 failed attempts/.test(limited.message));
    const full = environmentFaultOf(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }), '/w/sess_1');
    assert.equal(full?.type, AgentFailureType.DISK_UNAVAILABLE);
    assert.equal(full?.nonRetryable, false);
    assert.equal(environmentFaultOf(Object.assign(new Error('read-only'), { code: 'EROFS' }), '/w/sess_1')?.type, AgentFailureType.DISK_UNAVAILABLE);
    const denied = (where: string): Error => Object.assign(new Error('denied'), { code: 'EACCES', path: where });
    assert.equal(environmentFaultOf(denied('/w'), '/w/sess_1')?.type, AgentFailureType.WORK_DIR_UNREACHABLE, 'a parent');
    assert.equal(environmentFaultOf(denied('/w/sess_1'), '/w/sess_1')?.type, AgentFailureType.WORK_DIR_UNREACHABLE, 'the work directory');
    assert.equal(environmentFaultOf(denied('/w/sess_1/src/locked.js'), '/w/sess_1'), null, 'a file inside is the agent\'s own doing');
    assert.equal(environmentFaultOf(new Error('other'), '/w/sess_1'), null);
    const redacted = redactCredentials(
      '401 with Authorization: Bearer abcdefghijklmnop, api_key=supersecret1 at https://user:pw@host/x sk-proj-abcdefghijklmnopqrstuvwxyz ' +
        '{"api_key": "abcd1234efgh"} password="hunter2hunter2"',
    );
    assert.doesNotMatch(redacted, /abcdefghijklmnop|supersecret1|user:pw|sk-proj|abcd1234efgh|hunter2/);
    assert.match(redacted, /Bearer \[redacted\]/);
  });
});

void describe('preflight names each problem and its fix', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'preflight-'));
    await chmod(dir, 0o755);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  void test('a WORK_DIR_BASE that cannot be created is a work-dir problem', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    const problems = await preflight(resolveConfig({ workDirBase: path.join(file, 'projects') }, {}));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.check, 'work-dir');
    assert.match(problems[0]?.message ?? '', /is not writable by the worker \(ENOTDIR.*choose another WORK_DIR_BASE/);
  });

  void test('a missing agent command is an agent-command problem; a sound set-up has none', async () => {
    const base = path.join(dir, 'ok');
    const missing = await preflight(
      resolveConfig({ workDirBase: base, engineerProvider: 'command', agentCommand: 'no-such-agent-cli {prd}', runModelCode: true, sandbox: 'none' }, {}),
    );
    assert.deepEqual(missing.map((problem) => problem.check), ['agent-command'], JSON.stringify(missing));
    assert.match(missing[0]?.message ?? '', /"no-such-agent-cli" is not installed/);
    assert.deepEqual(await preflight(resolveConfig({ workDirBase: base }, {})), []);
  });
});
