import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAgentDeps } from '../../activities/agents/agent-deps';
import { createArchitect } from '../../activities/agents/architect';
import { AgentFailureType } from '../../activities/failures';
import { missingRunner } from '../../activities/project/missing-runner';
import { resolveConfig } from '../../src/config';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { ARTIFACT_PATHS } from '../../workflows/definitions';
import type { SessionHarness } from '../helpers/session-harness';
import { agentHarness, readWorkFile } from './agent-harness';

// The template provider throughout (PM, Architect, the Engineer's loop), QA's real runs in the real sandbox, and the
// real Temporal dev server. Measure the Python session with: npm run build && node dist/tests/run-suite.js python-project

const INSTALL_HINT = "run `bash src/runners/install-pytest.sh` as root (.ci/run does) so QA's sandboxed runs find pytest";

void describe('projects beyond Node: the test command the Architect names is what the scaffold, the Engineer and QA use', () => {
  let harness: SessionHarness;
  before(async () => {
    harness = await agentHarness({});
  });
  after(() => harness.close());

  void test('a Python mission: PM, the Architect names pytest, approve, the Engineer writes Python, QA runs pytest and passes', async (t) => {
    assert.equal(await missingRunner(['pytest'], os.tmpdir()), null, INSTALL_HINT);
    const { orchestrator } = harness;
    const started = Date.now();
    const id = await orchestrator.startNewSession('Build a Python library that keeps a reading list', 'reading-list');
    const review = await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const toReview = Date.now() - started;
    const spec = await readWorkFile(review.workDir, ARTIFACT_PATHS.tech_spec);
    assert.match(spec, /## Test command\n\n`pytest`\n\nQA runs this in the work directory/);
    assert.match(spec, /`src\/project\.py`: the module/);
    assert.ok(spec.trimEnd().endsWith('one of `npm test`, `node --test`, `pytest`).'), 'the section is the last one');
    assert.match(await readWorkFile(review.workDir, ARTIFACT_PATHS.scaffold), /a Python project whose `pytest` runs tests\//);

    const approvedAt = Date.now();
    await orchestrator.approveAndContinue(id);
    const done = await harness.waitForStatus(id, SessionStatus.COMPLETED, 60_000);
    const approveToDone = Date.now() - approvedAt;
    assert.equal(done.qaPassed, true);
    const report = await readWorkFile(done.workDir, ARTIFACT_PATHS.bug_report);
    assert.match(report, /\*\*Result:\*\* PASS \(3 passed, 0 failed\)/);
    assert.match(report, /Command: `pytest` in the work directory \(named by docs\/TECH_SPEC\.md\)/);
    assert.match(await readWorkFile(done.workDir, 'pytest.ini'), /pythonpath = src/);
    assert.match(await readWorkFile(done.workDir, 'tests/test_project.py'), /^import project$/m);
    assert.match(await readWorkFile(done.workDir, 'src/project.py'), /^MISSION = "Build a Python library that keeps a reading list"$/m, 'the engineer wrote the module');

    const logs = await orchestrator.getRecentLogs(id, 200);
    assert.match(logs, /\[engineer\] Ran scaffold\.sh as \S+ \(\S+\): exit 0/);
    assert.match(logs, /\[engineer\] turn 2: run pytest → exit 0, 3 passed, 0 failed/, "the Engineer's run_tests ran pytest");
    assert.match(logs, /\[qa\] QA passed: 3 passed, 0 failed \(pytest, /);
    const python = Date.now() - started;

    // The same session for a Node mission, in the same run, for a ratio (figures are printed, never asserted).
    const nodeStarted = Date.now();
    const nodeId = await orchestrator.startNewSession('Build a library that keeps a reading list', 'reading-list');
    const nodeReview = await harness.waitForStatus(nodeId, SessionStatus.AWAITING_APPROVAL);
    assert.match(await readWorkFile(nodeReview.workDir, ARTIFACT_PATHS.tech_spec), /## Test command\n\n`npm test`\n/);
    await orchestrator.approveAndContinue(nodeId);
    assert.equal((await harness.waitForStatus(nodeId, SessionStatus.COMPLETED, 60_000)).qaPassed, true);
    const node = Date.now() - nodeStarted;
    const line =
      `Python project session (template provider): start→review ${toReview} ms, approve→QA passed ${approveToDone} ms, ` +
      `start→QA passed ${python} ms; the Node session in the same run ${node} ms (Python/Node ${(python / node).toFixed(2)})`;
    t.diagnostic(line);
    console.log(`# ${line}`);
  });

  void test('a work directory whose spec names no test command (a session from before) runs QA_TEST_COMMAND, or npm test without it', async () => {
    // The architect of a session started before projects named their command: the same documents, no such section.
    const architect = createArchitect(createAgentDeps(resolveConfig({}, {})));
    const olderArchitect: typeof architect = async (input) => {
      const result = await architect(input);
      const specPath = path.join(input.workDir, ARTIFACT_PATHS.tech_spec);
      const spec = await readWorkFile(input.workDir, ARTIFACT_PATHS.tech_spec);
      const olderSpec = spec.slice(0, spec.indexOf('## Test command'));
      await writeFile(specPath, olderSpec);
      const ref = { sha256: createHash('sha256').update(olderSpec).digest('hex'), bytes: Buffer.byteLength(olderSpec) };
      return { ...result, artifacts: result.artifacts.map((artifact) => (artifact.name === 'tech_spec' ? { ...artifact, ...ref } : artifact)) };
    };
    for (const [env, command, source] of [
      [{ QA_TEST_COMMAND: 'node --test test/' }, 'node --test test/', 'set by the operator (QA_TEST_COMMAND)'],
      [{}, 'npm test', 'the default: docs/TECH_SPEC.md names no test command'],
    ] as const) {
      const older = await agentHarness(env, { overrides: { architect: olderArchitect } });
      try {
        const id = await older.orchestrator.startNewSession('Build a tip calculator');
        const review = await older.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
        assert.doesNotMatch(await readWorkFile(review.workDir, ARTIFACT_PATHS.tech_spec), /Test command/);
        await older.orchestrator.approveAndContinue(id);
        const done = await older.waitForStatus(id, SessionStatus.COMPLETED, 60_000);
        const report = await readWorkFile(done.workDir, ARTIFACT_PATHS.bug_report);
        assert.match(report, /\*\*Result:\*\* PASS \(3 passed, 0 failed\)/);
        assert.ok(report.includes(`Command: \`${command}\` in the work directory (${source})`), report);
        const logs = await older.orchestrator.getRecentLogs(id, 200);
        assert.ok(logs.includes(`[engineer] turn 2: run ${command} → exit 0, 3 passed, 0 failed`), logs);
        assert.ok(logs.includes(`[qa] QA passed: 3 passed, 0 failed (${command}, `), logs);
      } finally {
        await older.close();
      }
    }
  });

  void test('QA with a test runner that is not installed: a failure naming it in the report and last_error, never a pass; the session waits', async () => {
    const missing = await agentHarness({ QA_TEST_COMMAND: 'no-such-test-runner --all' });
    try {
      const id = await missing.orchestrator.startNewSession('Build a tip calculator');
      await missing.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await missing.orchestrator.approveAndContinue(id);
      const waiting = await missing.waitFor(id, (info) => (info.lastError?.attempt ?? 0) >= 2, 60_000);
      assert.equal(waiting.status, SessionStatus.RUNNING, 'an environment fault: the session waits for an operator');
      assert.equal(waiting.currentPhase, 'qa');
      assert.equal(waiting.qaPassed, false);
      assert.equal(waiting.lastError?.reason, AgentFailureType.TEST_RUNNER_NOT_FOUND);
      assert.match(waiting.lastError?.message ?? '', /^no-such-test-runner is not installed on this worker .*the project's tests \(`no-such-test-runner --all`, set by the operator \(QA_TEST_COMMAND\)\) cannot run until an operator installs it; the engineer cannot fix this/);
      const report = await readWorkFile(waiting.workDir, ARTIFACT_PATHS.bug_report);
      assert.match(report, /\*\*Result:\*\* FAIL \(no-such-test-runner is not installed on this worker/);
      assert.match(report, /- Not run: no-such-test-runner is not installed on this worker/);
      assert.doesNotMatch(report, /PASS/);
      const logs = await missing.orchestrator.getRecentLogs(id, 200);
      assert.match(logs, /\[engineer\] turn 2: run no-such-test-runner --all → runner not installed/, 'the Engineer was told, and went on');
      assert.match(logs, /\[qa\] QA failed: no-such-test-runner is not installed on this worker .*, so the tests \(no-such-test-runner --all\) did not run; report in docs\/BUG_REPORT\.md/);
      assert.equal(logs.match(/\[qa\] QA failed: /g)?.length, 1, 'said once, not once per attempt');
      await missing.orchestrator.cancelSession(id);
    } finally {
      await missing.close();
    }
  });

  void test('once the runner is installed, the waiting QA runs it on its next attempt and the session completes', async () => {
    const later = await agentHarness({ QA_TEST_COMMAND: './run-tests' });
    try {
      const id = await later.orchestrator.startNewSession('Build a tip calculator');
      const review = await later.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await later.orchestrator.approveAndContinue(id);
      const waiting = await later.waitFor(id, (info) => info.lastError !== null, 60_000);
      assert.equal(waiting.lastError?.reason, AgentFailureType.TEST_RUNNER_NOT_FOUND);
      // The "install": the runner appears where the test runs look (here the work directory, as ./run-tests).
      const runner = path.join(review.workDir, 'run-tests');
      await writeFile(runner, '#!/bin/sh\nexec npm test\n');
      await chmod(runner, 0o755);
      const done = await later.waitForStatus(id, SessionStatus.COMPLETED, 60_000);
      assert.equal(done.qaPassed, true);
      assert.equal(done.lastError, null);
      assert.match(await readWorkFile(done.workDir, ARTIFACT_PATHS.bug_report), /\*\*Result:\*\* PASS \(3 passed, 0 failed\)/);
      assert.ok(done.iterationCount === 0, 'no engineer iteration was spent on it');
    } finally {
      await later.close();
    }
  });
});
