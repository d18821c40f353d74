#!/usr/bin/env node
/**
 * A scripted coding-agent CLI for the command provider's tests: it edits the session's project the way a real agent
 * would, and fails its first `--fail-attempts` runs (counted in a file it keeps in the work directory) the way an agent
 * whose model endpoint is down does, after it has already edited a file.
 *
 *   scripted-agent --prd P --spec S --mission M [--fail-attempts N] [--hang]
 *
 * Every run writes src/mission.js (the mission and title the template's tests expect). A failing run then prints
 * an error naming the key it was given (AGENT_TEST_TOKEN, which the provider must redact) and exits 2. A succeeding
 * run replaces the scaffold's stub src/index.js with an implementation built on src/mission.js and exits 0, so the
 * project's tests pass only when both the failed and the succeeding run left their edits. `--hang` waits forever
 * instead, like an agent whose model never answers.
 *
 * Self-contained (Node built-ins only): the tests copy the compiled file next to nothing else.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const ATTEMPTS_FILE = '.scripted-agent-attempts';

function option(name: string): string | null {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? null : (process.argv[index + 1] ?? null);
}

function fail(code: number, message: string): never {
  console.error(`scripted-agent: ${message}`);
  process.exit(code);
}

function titleOf(mission: string): string {
  const words = mission.trim().split(/\s+/).slice(0, 8).join(' ');
  return words.length > 60 ? `${words.slice(0, 57)}...` : words;
}

const prd = option('prd');
const spec = option('spec');
const mission = option('mission');
const failAttempts = Number(option('fail-attempts') ?? '0');
if (!prd || !spec || mission === null || !Number.isInteger(failAttempts)) fail(64, 'usage: --prd P --spec S --mission M [--fail-attempts N]');
for (const [what, file] of [['PRD', prd], ['spec', spec]] as const) {
  if (!readFileSync(file, 'utf8').startsWith('#')) fail(65, `the ${what} at ${file} is not Markdown`);
}

const attempt = (existsSync(ATTEMPTS_FILE) ? Number(readFileSync(ATTEMPTS_FILE, 'utf8')) : 0) + 1;
writeFileSync(ATTEMPTS_FILE, `${attempt}\n`);
console.log(`scripted-agent: run ${attempt}, reading ${prd} and ${spec}`);
if (process.argv.includes('--hang')) {
  console.log('scripted-agent: waiting for the model');
  setInterval(() => undefined, 60_000);
} else {
  editProject(mission, attempt);
}

/** Write src/mission.js, then fail (the first `--fail-attempts` runs) or write src/index.js. */
function editProject(missionText: string, run: number): void {
  mkdirSync('src', { recursive: true });
  writeFileSync(
    'src/mission.js',
    ["'use strict';", `const MISSION = ${JSON.stringify(missionText.trim())};`, `const TITLE = ${JSON.stringify(titleOf(missionText))};`, 'module.exports = { MISSION, TITLE };', ''].join('\n'),
  );
  console.log('scripted-agent: wrote src/mission.js');

  if (run <= failAttempts) {
    fail(2, `the model endpoint answered 503 Service Unavailable for key ${process.env.AGENT_TEST_TOKEN ?? '(none)'} on run ${run}; giving up`);
  }

  writeFileSync(
    'src/index.js',
    [
      "'use strict';",
      "const { MISSION, TITLE } = require('./mission');",
      '',
      'const REQUIREMENTS = Object.freeze([MISSION]);',
      '',
      'module.exports = {',
      '  describeMission: () => MISSION,',
      '  requirements: () => [...REQUIREMENTS],',
      '  summary: () => `${TITLE}: ${REQUIREMENTS.length} requirement(s)`,',
      '};',
      '',
    ].join('\n'),
  );
  console.log('scripted-agent: wrote src/index.js');
}
