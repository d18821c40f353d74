import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createEngineer } from '../../activities/agents/engineer';
import { createAgentDeps } from '../../activities/agents/agent-deps';
import { SessionWorkspace } from '../../activities/workspace';
import { resolveConfig } from '../../src/config';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { ARTIFACT_PATHS, type AgentInput, type SessionState } from '../../workflows/definitions';
import type { SessionHarness } from '../helpers/session-harness';
import { agentHarness, readWorkFile } from './agent-harness';

/** Wall time of each agent phase run, from the workflow's own phase_started / phase_completed events. */
function phaseTimes(state: SessionState): string {
  const started = new Map<string, number>();
  const times: string[] = [];
  for (const event of state.events) {
    if (event.kind === 'phase_started') started.set(event.phase, Date.parse(event.at));
    if (event.kind === 'phase_completed') times.push(`${event.phase} ${Date.parse(event.at) - (started.get(event.phase) ?? NaN)} ms`);
  }
  return times.join(', ');
}

void describe('the template provider end to end through the real workflow', () => {
  let harness: SessionHarness;
  before(async () => {
    harness = await agentHarness({});
  });
  after(() => harness.close());

  void test('feedback is addressed verbatim, revisions are kept, the scaffold runs, the engineer completes it and QA runs its tests', async (t) => {
    const { orchestrator } = harness;
    const started = Date.now();
    const id = await orchestrator.startNewSession('Build a unit converter for cooking recipes', 'kitchen-units');
    const firstReview = await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const toReview = Date.now() - started;
    const { workDir } = firstReview;
    assert.match(await readWorkFile(workDir, ARTIFACT_PATHS.scaffold), /^#!\/usr\/bin\/env bash/);
    assert.match(await readWorkFile(workDir, ARTIFACT_PATHS.tech_spec), /## Test command\n\n`npm test`\n/, 'a mission that names no language gets a Node project');

    const feedback = 'Support metric and imperial units, and round to 2 decimals';
    await orchestrator.rejectAndIterate(id, feedback, 'pm');
    await harness.waitFor(id, (info) => info.status === SessionStatus.AWAITING_APPROVAL && info.iterationCount === 1);
    const prd = await readWorkFile(workDir, ARTIFACT_PATHS.prd);
    assert.match(prd, /## Feedback addressed\n\n- Iteration 1 \(sent back to pm\): Support metric and imperial units, and round to 2 decimals/);
    assert.ok((await readWorkFile(workDir, ARTIFACT_PATHS.tech_spec)).includes(feedback));
    assert.deepEqual((await readdir(path.join(workDir, 'docs/history'))).sort(), ['PRD.v1.md', 'TECH_SPEC.v1.md', 'scaffold.v1.sh']);
    assert.match(await readWorkFile(workDir, 'docs/history/PRD.v1.md'), /None yet: this is the first revision/);

    const approvedAt = Date.now();
    await orchestrator.approveAndContinue(id);
    const done = await harness.waitForStatus(id, SessionStatus.COMPLETED);
    const engineerToDone = Date.now() - approvedAt;
    assert.equal(done.qaPassed, true);
    const report = await readWorkFile(workDir, ARTIFACT_PATHS.bug_report);
    assert.match(report, /\*\*Result:\*\* PASS \(3 passed, 0 failed\)/);
    assert.match(report, /Command: `npm test`/);
    assert.match(await readWorkFile(workDir, 'package.json'), /"name": "kitchen-units"/);
    assert.match(await readWorkFile(workDir, 'test/index.test.js'), /require\('node:test'\)/);
    assert.ok((await readWorkFile(workDir, 'src/index.js')).includes(feedback), 'the engineer implemented the requirements');

    const logs = await orchestrator.getRecentLogs(id, 200);
    assert.match(logs, /\[engineer\] Ran scaffold\.sh as \S+ \((bwrap|unprivileged-user|worker-user)\): exit 0/);
    assert.match(logs, /\[engineer\] Wrote src\/index\.js .* with the template provider/);
    assert.match(logs, /\[qa\] QA passed: 3 passed, 0 failed \(npm test/);
    const state = await harness.state(id);
    t.diagnostic(`template session wall time: start→review ${toReview} ms; approve→completed ${engineerToDone} ms; per phase: ${phaseTimes(state)}`);
  });

  void test('QA really runs the code: a broken module fails with a report, the engineer gets it and fixes it', async () => {
    const deps = createAgentDeps(resolveConfig({}, {}));
    const engineer = createEngineer(deps);
    const inputs: AgentInput[] = [];
    const broken = await agentHarness(
      {},
      {
        overrides: {
          engineer: async (input) => {
            inputs.push(input);
            const result = await engineer(input);
            if (inputs.length === 1) {
              await SessionWorkspace.forSession(input).writeFile('src/index.js', "module.exports = { describeMission: () => 'wrong', requirements: () => [], summary: () => '' };\n");
            }
            return result;
          },
        },
      },
    );
    try {
      const id = await broken.orchestrator.startNewSession('Build a tip calculator');
      await broken.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await broken.orchestrator.approveAndContinue(id);
      const done = await broken.waitForStatus(id, SessionStatus.COMPLETED);
      assert.equal(done.iterationCount, 1, 'one QA failure, then a pass');
      assert.equal(inputs[1]?.bugReport?.path, ARTIFACT_PATHS.bug_report);
      const failed = await readWorkFile(done.workDir, 'docs/history/BUG_REPORT.v1.md');
      assert.match(failed, /\*\*Result:\*\* FAIL \(0 passed, 3 failed; first failure: describeMission returns the mission\)/);
      assert.match(failed, /## Failing tests\n\n- describeMission returns the mission/);
      assert.match(failed, /## Output \(trimmed\)\n\n```text\n[\s\S]*not ok 1 - describeMission returns the mission/);
      assert.match(await readWorkFile(done.workDir, ARTIFACT_PATHS.bug_report), /PASS \(3 passed, 0 failed\)/);
      const logs = await broken.orchestrator.getRecentLogs(id, 200);
      assert.match(logs, /\[qa\] QA failed: 0 passed, 3 failed/);
      assert.match(logs, /\[engineer\] scaffold\.sh unchanged since it last ran; not run again/);
      assert.match(logs, /\[engineer\] Wrote src\/index\.js .*, addressing docs\/BUG_REPORT\.md/);
    } finally {
      await broken.close();
    }
  });
});
