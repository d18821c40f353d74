import { projectSlug } from '../../names';
import type { AgentBrief } from '../types';
import { facts, type ScaffoldFile } from './project-facts';

/** Files of the template's Node project, relative to the work directory. */
export const TEMPLATE_FILES = {
  manifest: 'package.json',
  module: 'src/index.js',
  test: 'test/index.test.js',
} as const;

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

/** What `scaffold.sh` lays out for the Node project: manifest and tests every time, the stub only once. */
export function nodeScaffoldFiles(brief: AgentBrief): ScaffoldFile[] {
  return [
    { path: TEMPLATE_FILES.manifest, content: templateManifest(brief), always: true },
    { path: TEMPLATE_FILES.test, content: templateTest(brief), always: true },
    { path: TEMPLATE_FILES.module, content: templateStub(), always: false },
  ];
}
