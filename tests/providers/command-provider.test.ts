import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { ARTIFACT_PATHS } from '../../workflows/definitions';
import { agentHarness, readWorkFile } from './agent-harness';

/**
 * A tiny stand-in for a coding-agent CLI: it records its arguments and environment, checks it can read the
 * PRD, and writes the module the template scaffold's tests expect. Failures and retries: command-provider-retry.test.ts.
 */
const AGENT_SCRIPT = `#!/usr/bin/env bash
set -euo pipefail
printf '%s\\n' "$@" > agent-args.txt
env | sort > agent-env.txt
test -r "$2"
grep -q "Feedback addressed" "$4"
mission="$(printf '%s' "$6" | sed 's/"/\\\\"/g')"
cat > src/index.js <<JS
'use strict';
const MISSION = "$mission";
const TITLE = MISSION.split(' ').slice(0, 8).join(' ');
module.exports = {
  describeMission: () => MISSION,
  requirements: () => [MISSION],
  summary: () => TITLE + ': 1 requirement(s)',
};
JS
echo "agent: wrote src/index.js"
`;

void describe('the command provider: the engineer phase delegated to an external CLI', () => {
  let toolDir: string;
  let agent: string;
  before(async () => {
    toolDir = await mkdtemp(path.join(os.tmpdir(), 'agent-cli-'));
    agent = path.join(toolDir, 'fake-agent');
    await writeFile(agent, AGENT_SCRIPT);
    await chmod(agent, 0o755);
    await chmod(toolDir, 0o755);
  });
  after(() => rm(toolDir, { recursive: true, force: true }));

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    AGENT_PROVIDER: 'command',
    AGENT_COMMAND: `${agent} --prd {prd} --feedback {feedback} --mission {mission} --bug-report={bug_report}`,
    AGENT_COMMAND_ENV: 'AGENT_TEST_TOKEN',
    RUN_MODEL_CODE: 'true',
    ...extra,
  });

  void test('runs in the work directory with the document paths, a scrubbed environment plus the named variables; QA runs its code', async () => {
    process.env.AGENT_TEST_TOKEN = 'token-for-the-agent';
    process.env.OPENAI_API_KEY_NOT_FOR_AGENT = 'sk-secret';
    const harness = await agentHarness(env());
    try {
      const id = await harness.orchestrator.startNewSession('Build a "quoted" greeting service');
      await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await harness.orchestrator.approveAndContinue(id);
      const done = await harness.waitFor(id, (info) => [SessionStatus.COMPLETED, SessionStatus.FAILED].includes(info.status));
      const logs = await harness.orchestrator.getRecentLogs(id, 100);
      assert.equal(done.status, SessionStatus.COMPLETED, logs);
      const args = (await readWorkFile(done.workDir, 'agent-args.txt')).split('\n');
      assert.deepEqual(args.slice(0, 7), [
        '--prd',
        path.join(done.workDir, ARTIFACT_PATHS.prd),
        '--feedback',
        path.join(done.workDir, 'docs/FEEDBACK.md'),
        '--mission',
        'Build a "quoted" greeting service',
        '--bug-report=',
      ]);
      const agentEnv = await readWorkFile(done.workDir, 'agent-env.txt');
      assert.match(agentEnv, /^AGENT_TEST_TOKEN=token-for-the-agent$/m);
      assert.doesNotMatch(agentEnv, /OPENAI_API_KEY|TEMPORAL_|sk-secret/);
      assert.match(await readWorkFile(done.workDir, 'logs/agent-command.log'), /agent: wrote src\/index\.js/);
      assert.match(logs, /\[engineer\] Wrote .*src\/index\.js .* with the command provider/);
      assert.match(await readWorkFile(done.workDir, ARTIFACT_PATHS.bug_report), /PASS \(3 passed, 0 failed\)/);
    } finally {
      delete process.env.AGENT_TEST_TOKEN;
      delete process.env.OPENAI_API_KEY_NOT_FOR_AGENT;
      await harness.close();
    }
  });
});
