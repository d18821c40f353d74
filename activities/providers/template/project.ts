import { createHash } from 'node:crypto';
import { projectTitle } from '../../agents/feedback-section';
import { projectSlug } from '../../names';
import type { AgentBrief } from '../types';

/** Files of the template project, relative to the work directory. */
export const TEMPLATE_FILES = {
  manifest: 'package.json',
  module: 'src/index.js',
  test: 'test/index.test.js',
} as const;

/** The facts the generated project is built from. */
function facts(brief: AgentBrief): { mission: string; title: string; feedback: string[] } {
  return {
    mission: brief.mission.trim(),
    title: projectTitle(brief.projectName, brief.mission),
    feedback: brief.feedback.map((entry) => entry.feedback.trim()),
  };
}

/** The generated project's package.json. */
export function templateManifest(brief: AgentBrief): string {
  const manifest = { name: projectSlug(brief.projectName, brief.mission), version: '0.1.0', private: true, scripts: { test: 'node --test test/' } };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The real node:test tests the scaffold lays out; they fail against the stub and pass once the module is written. */
export function templateTest(brief: AgentBrief): string {
  const { mission, title, feedback } = facts(brief);
  return [
    "'use strict';",
    "const test = require('node:test');",
    "const assert = require('node:assert/strict');",
    "const project = require('../src/index.js');",
    '',
    `const MISSION = ${JSON.stringify(mission)};`,
    `const FEEDBACK = ${JSON.stringify(feedback, null, 2)};`,
    '',
    "test('describeMission returns the mission', () => {",
    '  assert.equal(project.describeMission(), MISSION);',
    '});',
    '',
    "test('requirements start with the mission and include every piece of reviewer feedback', () => {",
    '  const requirements = project.requirements();',
    '  assert.equal(requirements[0], MISSION);',
    '  for (const item of FEEDBACK) assert.ok(requirements.includes(item), `missing requirement: ${item}`);',
    '});',
    '',
    "test('summary names the project and counts its requirements', () => {",
    `  assert.equal(project.summary(), ${JSON.stringify(`${title}: `)} + (1 + FEEDBACK.length) + ' requirement(s)');`,
    '});',
    '',
  ].join('\n');
}

/** The stub module the scaffold lays out: every function throws until the engineer implements it. */
export function templateStub(): string {
  return [
    "'use strict';",
    '// Laid out by scaffold.sh; the engineer implements it (see docs/TECH_SPEC.md).',
    'function notImplemented(name) {',
    '  return () => {',
    '    throw new Error(`${name} is not implemented yet`);',
    '  };',
    '}',
    '',
    "module.exports = { describeMission: notImplemented('describeMission'), requirements: notImplemented('requirements'), summary: notImplemented('summary') };",
    '',
  ].join('\n');
}

/** The engineer's implementation of the template project. */
export function templateModule(brief: AgentBrief): string {
  const { mission, title, feedback } = facts(brief);
  return [
    "'use strict';",
    '',
    `const MISSION = ${JSON.stringify(mission)};`,
    `const TITLE = ${JSON.stringify(title)};`,
    `const REQUIREMENTS = Object.freeze([MISSION, ...${JSON.stringify(feedback)}]);`,
    '',
    '/** Returns the mission this project implements. */',
    'function describeMission() {',
    '  return MISSION;',
    '}',
    '',
    '/** Returns the requirements: the mission, then every piece of reviewer feedback. */',
    'function requirements() {',
    '  return [...REQUIREMENTS];',
    '}',
    '',
    '/** Returns a one-line summary of the project. */',
    'function summary() {',
    '  return `${TITLE}: ${REQUIREMENTS.length} requirement(s)`;',
    '}',
    '',
    'module.exports = { describeMission, requirements, summary };',
    '',
  ].join('\n');
}

/** `scaffold.sh`: lays out the manifest, the tests and (once) the stub module; safe to run more than once. */
export function templateScaffold(brief: AgentBrief): string {
  const files: [string, string, boolean][] = [
    [TEMPLATE_FILES.manifest, templateManifest(brief), true],
    [TEMPLATE_FILES.test, templateTest(brief), true],
    [TEMPLATE_FILES.module, templateStub(), false],
  ];
  const all = files.map(([, content]) => content).join('\n');
  const tag = `__ORCHESTRATOR_EOF_${createHash('sha256').update(all).digest('hex').slice(0, 12)}__`;
  const lines = [
    '#!/usr/bin/env bash',
    '# Lays out the project described in docs/TECH_SPEC.md: a Node package whose `npm test` runs node:test.',
    '# Safe to run more than once; it lays out src/index.js only when the engineer has not written it yet.',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    'mkdir -p src test',
  ];
  for (const [file, content, always] of files) {
    const write = [`cat > ${file} <<'${tag}'`, content.replace(/\n$/, ''), tag];
    lines.push(...(always ? write : [`if [ ! -e ${file} ]; then`, ...write, 'fi']));
  }
  lines.push('echo "scaffold: laid out package.json, test/ and src/"', '');
  return lines.join('\n');
}
