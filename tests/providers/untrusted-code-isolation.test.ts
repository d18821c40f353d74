import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentDeps, createAgentDeps } from '../../activities/agents/agent-deps';
import { createEngineer } from '../../activities/agents/engineer';
import { createQa } from '../../activities/agents/qa';
import { resolveSandbox, type ResolvedSandbox, type SandboxMode } from '../../activities/runner/sandbox';
import { resolveConfig } from '../../src/config';
import { type SessionInfo, SessionStatus } from '../../src/orchestration/orchestrator';
import { agentHarness } from './agent-harness';

/**
 * "A non-root worker without bubblewrap", simulated through the providers' sandbox seam: the isolation the
 * probe reports there (`worker-user`) for the given RUN_SANDBOX. The children themselves still drop to
 * `nobody`, so the test never runs anything as root.
 */
async function depsAsWorkerUser(env: Record<string, string>): Promise<AgentDeps> {
  const deps = createAgentDeps(resolveConfig({}, env));
  const mode: SandboxMode = deps.config.sandbox;
  const real = await resolveSandbox('none', 'nobody');
  const simulated: ResolvedSandbox = { ...real, isolation: 'worker-user', mode, notice: mode === 'none' ? real.notice : 'bubblewrap (bwrap) is not installed (simulated)' };
  deps.providers.sandbox = () => Promise.resolve(simulated);
  return deps;
}

const ended = (info: SessionInfo): boolean => [SessionStatus.COMPLETED, SessionStatus.FAILED].includes(info.status);

async function runToEnd(
  env: Record<string, string>,
  until: (info: SessionInfo) => boolean = ended,
): Promise<{ status: SessionStatus; phase: string; logs: string; reason: string; lastError: SessionInfo['lastError'] }> {
  const deps = await depsAsWorkerUser(env);
  const harness = await agentHarness(env, { overrides: { engineer: createEngineer(deps), qa: createQa(deps) }, config: { maxIterations: 0 } });
  try {
    const id = await harness.orchestrator.startNewSession('Build a greeting service');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    await harness.orchestrator.approveAndContinue(id);
    const done = await harness.waitFor(id, until);
    const logs = await harness.orchestrator.getRecentLogs(id, 100);
    const reason = (await harness.state(id)).failureReason ?? '';
    return { status: done.status, phase: done.currentPhase, logs, reason, lastError: done.lastError };
  } finally {
    await harness.close();
  }
}

void describe('children as the worker\'s own user (non-root worker, no bubblewrap)', () => {
  let toolDir: string;
  let agent: string;
  before(async () => {
    toolDir = await mkdtemp(path.join(os.tmpdir(), 'agent-cli-'));
    agent = path.join(toolDir, 'fake-agent');
    await writeFile(agent, '#!/usr/bin/env bash\ntouch agent-ran.txt\n');
    await chmod(agent, 0o755);
    await chmod(toolDir, 0o755);
  });
  after(() => rm(toolDir, { recursive: true, force: true }));

  const commandEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    AGENT_PROVIDER: 'command',
    AGENT_COMMAND: `${agent} {prd}`,
    RUN_MODEL_CODE: 'true',
    ...extra,
  });

  void test('the command provider is refused before the agent runs; the session waits, running, for a fixed sandbox', async () => {
    const outcome = await runToEnd(commandEnv(), (info) => info.lastError !== null);
    assert.equal(outcome.status, SessionStatus.RUNNING, outcome.logs);
    assert.equal(outcome.phase, 'engineer');
    assert.equal(outcome.lastError?.reason, 'SandboxUnavailable');
    assert.match(outcome.logs, /\[engineer\] Attempt 1 failed \(SandboxUnavailable\): refusing to run the agent command: children would run as the worker's own user nobody without bubblewrap/);
    assert.match(outcome.lastError?.message ?? '', /read the worker's environment \(its API keys\) through \/proc .* set RUN_SANDBOX=none to accept this/);
    assert.doesNotMatch(outcome.logs, /Running the agent command/);
  });

  void test('RUN_SANDBOX=none is the explicit opt-out: the agent command runs', async () => {
    const outcome = await runToEnd(commandEnv({ RUN_SANDBOX: 'none' }));
    assert.match(outcome.logs, /Running the agent command/);
    assert.doesNotMatch(outcome.logs, /ModelCodeNotAllowed/);
  });

  void test("the template provider's own code still runs", async () => {
    const outcome = await runToEnd({});
    assert.equal(outcome.status, SessionStatus.COMPLETED, outcome.logs);
    assert.match(outcome.logs, /\[qa\] QA passed: .*worker-user as nobody/);
  });
});
