import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { ARTIFACT_PATHS } from '../../workflows/definitions';
import type { SessionHarness } from '../helpers/session-harness';
import { agentHarness, readWorkFile } from './agent-harness';

/** The scripted agent (tests/providers/scripted-agent.ts) as compiled next to this file. */
const SCRIPTED_AGENT = path.join(__dirname, 'scripted-agent.js');
const TOKEN = 'tok-handed-to-the-scripted-agent';
const MISSION = 'Build a greeting service';

/** What Temporal's history says about the engineer activity's last attempt (`engineerStart`, which runs a command engineer whole; `engineer` in sessions before it). */
interface EngineerAttempts {
  scheduled: number;
  lastAttempt: number;
  lastFailure: string | null;
  finalFailure: { message: string; type: string | null; nonRetryable: boolean } | null;
}

async function engineerAttempts(harness: SessionHarness, sessionId: string): Promise<EngineerAttempts> {
  const history = await harness.client.workflow.getHandle(sessionId).fetchHistory();
  const events = history.events ?? [];
  const engineer = new Set(events.filter((event) => ['engineer', 'engineerStart'].includes(event.activityTaskScheduledEventAttributes?.activityType?.name ?? '')).map((event) => String(event.eventId)));
  const started = events.filter((event) => engineer.has(String(event.activityTaskStartedEventAttributes?.scheduledEventId ?? '')));
  const last = started.at(-1)?.activityTaskStartedEventAttributes;
  const failed = events.find((event) => engineer.has(String(event.activityTaskFailedEventAttributes?.scheduledEventId ?? '')))?.activityTaskFailedEventAttributes?.failure;
  return {
    scheduled: engineer.size,
    lastAttempt: last?.attempt ?? 0,
    lastFailure: last?.lastFailure?.message ?? null,
    finalFailure: failed
      ? { message: failed.message ?? '', type: failed.applicationFailureInfo?.type ?? null, nonRetryable: failed.applicationFailureInfo?.nonRetryable === true }
      : null,
  };
}

void describe('the command provider retries a failed agent command (a scripted agent CLI, the real workflow and server)', () => {
  let toolDir: string;
  let agent: string;
  before(async () => {
    // Its own directory, bound read-only into the sandbox: the children cannot reach the build tree.
    toolDir = await mkdtemp(path.join(os.tmpdir(), 'scripted-agent-'));
    agent = path.join(toolDir, 'scripted-agent');
    await copyFile(SCRIPTED_AGENT, agent);
    await chmod(agent, 0o755);
    await chmod(toolDir, 0o755);
    process.env.AGENT_TEST_TOKEN = TOKEN;
  });
  after(async () => {
    delete process.env.AGENT_TEST_TOKEN;
    await rm(toolDir, { recursive: true, force: true });
  });

  const env = (agentArgs: string[], extra: Record<string, string> = {}): Record<string, string> => ({
    AGENT_PROVIDER: 'command',
    AGENT_COMMAND: JSON.stringify([agent, '--prd', '{prd}', '--spec', '{spec}', '--mission', '{mission}', ...agentArgs]),
    AGENT_COMMAND_ENV: 'AGENT_TEST_TOKEN',
    RUN_MODEL_CODE: 'true',
    ...extra,
  });

  async function approvedSession(harness: SessionHarness): Promise<string> {
    const id = await harness.orchestrator.startNewSession(MISSION);
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    await harness.orchestrator.approveAndContinue(id);
    return id;
  }

  void test('an agent that edits the project and fails its first run is retried; the retry completes the session with both runs\' edits', async () => {
    const harness = await agentHarness(env(['--fail-attempts', '1']));
    try {
      const id = await approvedSession(harness);
      const done = await harness.waitFor(id, (info) => [SessionStatus.COMPLETED, SessionStatus.FAILED].includes(info.status), 60_000);
      const logs = await harness.orchestrator.getRecentLogs(id, 200);
      assert.equal(done.status, SessionStatus.COMPLETED, logs);

      assert.equal(await readWorkFile(done.workDir, '.scripted-agent-attempts'), '2\n', 'the agent ran twice');
      assert.match(await readWorkFile(done.workDir, 'src/mission.js'), /const MISSION = "Build a greeting service";/);
      assert.match(await readWorkFile(done.workDir, 'src/index.js'), /require\('\.\/mission'\)/, 'the scaffold stub was replaced');
      assert.match(await readWorkFile(done.workDir, ARTIFACT_PATHS.bug_report), /PASS \(3 passed, 0 failed\)/, "the project's tests use the agent's files");

      const attempts = await engineerAttempts(harness, id);
      assert.equal(attempts.scheduled, 1, 'one engineer activity');
      assert.equal(attempts.lastAttempt, 2, 'Temporal ran it a second time');
      assert.match(attempts.lastFailure ?? '', /^the agent command exited with 2 after [\d.]+ s; its output is in logs\/agent-command\.iteration-0\.attempt-1\.log$/);

      const failedRun = 'logs/agent-command.iteration-0.attempt-1.log';
      assert.match(logs, /\[engineer\] Attempt 1 failed \(AgentCommandFailed\): the agent command exited with 2 .*; Temporal retries it with backoff/);
      assert.match(
        logs,
        new RegExp(
          `\\[engineer\\] Agent command output, last 3 line\\(s\\) \\(all of it in ${failedRun.replace(/\./g, '\\.')}\\): ⏎ .*` +
            'scripted-agent: the model endpoint answered 503 Service Unavailable for key \\[redacted AGENT_TEST_TOKEN\\] on run 1; giving up',
        ),
        "the failure's output, redacted, is in the phase log",
      );
      assert.match(logs, /\[engineer\] Wrote .*src\/index\.js .* with the command provider/);
      assert.match(logs, /\[engineer\] Wrote .*src\/mission\.js .* with the command provider/, 'the failed run\'s edit counts as changed');
      assert.match(await readWorkFile(done.workDir, failedRun), /503 Service Unavailable for key \[redacted AGENT_TEST_TOKEN\]/, 'the failed run keeps its output');
      const latest = await readWorkFile(done.workDir, 'logs/agent-command.log');
      assert.match(latest, /scripted-agent: run 2, .*wrote src\/index\.js/s);
      assert.doesNotMatch(latest, /503/);
      for (const kept of [logs, latest, await readWorkFile(done.workDir, failedRun)]) assert.ok(!kept.includes(TOKEN), 'the key is redacted');
    } finally {
      await harness.close();
    }
  });

  void test('an agent command that keeps failing fails the engineer phase after 5 attempts; its output stays out of Temporal history', async () => {
    const harness = await agentHarness(env(['--fail-attempts', '99']));
    try {
      const id = await approvedSession(harness);
      const failed = await harness.waitForStatus(id, SessionStatus.FAILED, 120_000);
      assert.equal(failed.currentPhase, 'engineer');
      const logs = await harness.orchestrator.getRecentLogs(id, 200);
      const reason = (await harness.state(id)).failureReason ?? '';

      const attempts = await engineerAttempts(harness, id);
      assert.equal(attempts.lastAttempt, 5, 'the worker\'s retry limit stopped it at 5 attempts');
      assert.equal(attempts.finalFailure?.type, 'AgentCommandFailed');
      assert.equal(attempts.finalFailure?.nonRetryable, true);
      assert.match(attempts.finalFailure?.message ?? '', /exited with 2 after [\d.]+ s; its output is in logs\/agent-command\.iteration-0\.attempt-5\.log \(after 5 failed attempts\)$/);
      assert.match(reason, /the agent command exited with 2 .* \(after 5 failed attempts\)/);
      assert.match(logs, /\[engineer\] Failed \(AgentCommandFailed\) after 5 attempts, not retried: the agent command exited with 2/);
      assert.equal(logs.match(/\[engineer\] Agent command output, /g)?.length, 5, 'each attempt quotes its output once');
      assert.equal(await readWorkFile(failed.workDir, '.scripted-agent-attempts'), '5\n');
      for (const historyText of [reason, attempts.lastFailure ?? '', attempts.finalFailure?.message ?? '']) {
        assert.doesNotMatch(historyText, /503|tok-/, 'the output stays out of Temporal history');
      }
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        const output = await readWorkFile(failed.workDir, `logs/agent-command.iteration-0.attempt-${attempt}.log`);
        assert.match(output, new RegExp(`on run ${attempt}; giving up`));
        assert.ok(!output.includes(TOKEN));
      }
    } finally {
      await harness.close();
    }
  });

  void test('an agent command that outlives AGENT_COMMAND_TIMEOUT_SECONDS is killed and not retried', async () => {
    const harness = await agentHarness(env(['--hang'], { AGENT_COMMAND_TIMEOUT_SECONDS: '1' }));
    try {
      const id = await approvedSession(harness);
      const failed = await harness.waitForStatus(id, SessionStatus.FAILED, 30_000);
      const logs = await harness.orchestrator.getRecentLogs(id, 200);
      assert.match(
        logs,
        /\[engineer\] Failed \(AgentCommandFailed, not retried\): the agent command timed out after 1\.\d s and was killed; its output is in logs\/agent-command\.iteration-0\.attempt-1\.log/,
      );
      assert.match(logs, /\[engineer\] Agent command output, .*scripted-agent: waiting for the model/);
      assert.equal((await engineerAttempts(harness, id)).lastAttempt, 1);
      assert.equal(await readWorkFile(failed.workDir, '.scripted-agent-attempts'), '1\n');
    } finally {
      await harness.close();
    }
  });

  void test('a missing agent command is an environment fault: retried without using up the 5 attempts until it is installed', async () => {
    const installed = path.join(toolDir, 'installed-later');
    const harness = await agentHarness({
      ...env(['--fail-attempts', '1']),
      AGENT_COMMAND: JSON.stringify([installed, '--prd', '{prd}', '--spec', '{spec}', '--mission', '{mission}', '--fail-attempts', '1']),
    });
    try {
      const id = await approvedSession(harness);
      const waiting = await harness.waitFor(id, (info) => (info.lastError?.attempt ?? 0) >= 2, 30_000);
      assert.equal(waiting.status, SessionStatus.RUNNING);
      assert.equal(waiting.lastError?.reason, 'AgentCommandNotFound');
      await copyFile(agent, installed);
      await chmod(installed, 0o755);
      const done = await harness.waitFor(id, (info) => [SessionStatus.COMPLETED, SessionStatus.FAILED].includes(info.status), 60_000);
      const logs = await harness.orchestrator.getRecentLogs(id, 200);
      assert.equal(done.status, SessionStatus.COMPLETED, logs);
      const attempts = await engineerAttempts(harness, id);
      assert.ok(attempts.lastAttempt >= 4, `two or more not-found attempts, a failed run, then the good one (attempt ${attempts.lastAttempt})`);
      assert.equal(await readWorkFile(done.workDir, '.scripted-agent-attempts'), '2\n', 'the installed agent failed once and then succeeded');
      assert.match(logs, /\[engineer\] Attempt 1 failed \(AgentCommandNotFound\): the agent command ".*installed-later" is not installed/);
    } finally {
      await harness.close();
    }
  });

  void test('an agent command its sandboxed user cannot start (its interpreter is missing) is an environment fault too', async () => {
    const unstartable = path.join(toolDir, 'unstartable-agent');
    await writeFile(unstartable, '#!/nonexistent/venv/bin/python3\n', { mode: 0o755 });
    const harness = await agentHarness({ ...env([]), AGENT_COMMAND: JSON.stringify([unstartable, '{prd}']) });
    try {
      const id = await approvedSession(harness);
      const waiting = await harness.waitFor(id, (info) => (info.lastError?.attempt ?? 0) >= 2, 30_000);
      assert.equal(waiting.status, SessionStatus.RUNNING, 'the session waits for the fix instead of failing');
      assert.equal(waiting.lastError?.reason, 'AgentCommandNotFound');
      assert.match(waiting.lastError?.message ?? '', /the agent command could not be started as \S+ \(.+\): .*unstartable-agent.*No such file or directory; install it, with its interpreter/);
      await harness.orchestrator.cancelSession(id);
    } finally {
      await harness.close();
    }
  });
});
