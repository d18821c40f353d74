import type { AgentInput, PhaseResult } from '../../workflows/definitions';
import { SessionWorkspace } from '../workspace';

/** Files the template engineer writes and QA checks, relative to the work directory. */
export const ENGINEER_FILES = {
  manifest: 'package.json',
  module: 'src/index.js',
  test: 'test/index.test.js',
} as const;

/** The Engineer agent (template): implements the tech spec's layout in the work directory. */
export async function runEngineer(input: AgentInput): Promise<PhaseResult> {
  const workspace = new SessionWorkspace(input.workDir);
  const manifest = JSON.stringify(
    { name: 'generated-project', version: '0.1.0', private: true, scripts: { test: 'node --test test/' } },
    null,
    2,
  );
  const moduleSource = [
    "'use strict';",
    '',
    `const MISSION = ${JSON.stringify(input.userMission.trim())};`,
    '',
    '/** Returns the mission this project implements. */',
    'function describeMission() {',
    '  return MISSION;',
    '}',
    '',
    'module.exports = { describeMission };',
    '',
  ].join('\n');
  const testSource = [
    "'use strict';",
    "const test = require('node:test');",
    "const assert = require('node:assert/strict');",
    "const { describeMission } = require('../src/index.js');",
    '',
    "test('describeMission returns the mission', () => {",
    `  assert.equal(describeMission(), ${JSON.stringify(input.userMission.trim())});`,
    '});',
    '',
  ].join('\n');
  const artifacts = [
    await workspace.writeArtifact('code', ENGINEER_FILES.manifest, `${manifest}\n`),
    await workspace.writeArtifact('code', ENGINEER_FILES.test, testSource),
    await workspace.writeArtifact('code', ENGINEER_FILES.module, moduleSource),
  ];
  const reason = input.bugReport ? ` addressing ${input.bugReport.path}` : '';
  await workspace.appendLog('engineer', `Wrote ${artifacts.map((a) => a.path).join(', ')}${reason}`);
  return { artifacts };
}
