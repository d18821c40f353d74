import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Context } from '@temporalio/activity';
import { createEngineer } from '../../activities/agents/engineer';
import { createPm } from '../../activities/agents/pm';
import { createAgentDeps } from '../../activities/agents/agent-deps';
import { resolveConfig } from '../../src/config';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { agentHarness } from '../providers/agent-harness';
import { processAlive } from '../helpers/processes';

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

void test('a retried activity leaves no duplicate log lines (the real workflow retries the PM once)', async () => {
  const pm = createPm(createAgentDeps(resolveConfig({}, {})));
  let attempts = 0;
  const harness = await agentHarness(
    {},
    {
      overrides: {
        pm: async (input) => {
          attempts += 1;
          const result = await pm(input);
          // The worker "dies" after the PRD and its log line were written: Temporal retries the whole activity.
          if (Context.current().info.attempt === 1) throw new Error('simulated crash after logging');
          return result;
        },
      },
    },
  );
  try {
    const id = await harness.orchestrator.startNewSession('Build a habit tracker');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL, 20_000);
    assert.equal(attempts, 2, 'the PM ran twice');
    const logs = await harness.orchestrator.getRecentLogs(id, 100);
    assert.equal(logs.match(/\[pm\] Wrote docs\/PRD\.md/g)?.length, 1, logs);
    assert.equal(logs.match(/\[architect\] Wrote/g)?.length, 1);
  } finally {
    await harness.close();
  }
});

void test('cancelling a session while QA runs its tests kills the test process tree', async () => {
  const marker = `${Math.floor(Math.random() * 1e6)}`;
  const env = { QA_TEST_COMMAND: `bash -c "sleep 304.${marker} & wait"` };
  // The single-shot engineer: the loop's engineer would run the same test command before QA does.
  const harness = await agentHarness(env, { overrides: { engineer: createEngineer(createAgentDeps(resolveConfig({}, env))) } });
  try {
    const id = await harness.orchestrator.startNewSession('Build a stopwatch');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    await harness.orchestrator.approveAndContinue(id);
    await harness.waitFor(id, (info) => info.currentPhase === 'qa');
    assert.ok(await eventually(() => processAlive(`304.${marker}`), 10_000), 'the test command started');
    const info = await harness.orchestrator.cancelSession(id);
    assert.equal(info.status, SessionStatus.CANCELLED);
    assert.ok(await eventually(async () => !(await processAlive(`304.${marker}`)), 5_000), 'the test process is gone');
  } finally {
    await harness.close();
  }
});

void test('a test run that exceeds RUN_TIMEOUT_SECONDS is killed and reported as a QA failure', async () => {
  const marker = `${Math.floor(Math.random() * 1e6)}`;
  const harness = await agentHarness({ QA_TEST_COMMAND: `bash -c "sleep 305.${marker} & wait"`, RUN_TIMEOUT_SECONDS: '1' }, { config: { maxIterations: 0 } });
  try {
    const id = await harness.orchestrator.startNewSession('Build a metronome');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    await harness.orchestrator.approveAndContinue(id);
    const failed = await harness.waitForStatus(id, SessionStatus.FAILED, 20_000);
    assert.equal(failed.currentPhase, 'qa');
    const report = await readFile((await harness.orchestrator.getArtifacts(id)).bugReport!, 'utf8');
    assert.match(report, /FAIL \(tests timed out after 1\.\d s and were killed\)/);
    assert.equal(await processAlive(`305.${marker}`), false);
  } finally {
    await harness.close();
  }
});

void test('per-phase timeouts from config reach the activities Temporal schedules', async () => {
  const harness = await agentHarness({}, { config: { pmTimeoutSeconds: 7, architectTimeoutSeconds: 9 } });
  try {
    const id = await harness.orchestrator.startNewSession('Build a countdown timer');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const history = await harness.client.workflow.getHandle(id).fetchHistory();
    const timeouts: Record<string, number> = Object.fromEntries(
      (history.events ?? [])
        .map((event) => event.activityTaskScheduledEventAttributes)
        .filter((attributes) => attributes?.activityType?.name === 'pm' || attributes?.activityType?.name === 'architect')
        .map((attributes): [string, number] => [attributes!.activityType!.name ?? '', Number(attributes!.startToCloseTimeout?.seconds)]),
    );
    assert.deepEqual(timeouts, { pm: 7, architect: 9 });
  } finally {
    await harness.close();
  }
});
