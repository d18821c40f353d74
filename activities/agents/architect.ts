import { ARTIFACT_PATHS, type AgentInput, type PhaseResult } from '../../workflows/definitions';
import { SessionWorkspace } from '../workspace';
import { feedbackSection, projectTitle } from './feedback-section';

/** The Architect agent (template): writes `docs/TECH_SPEC.md` and a `scaffold.sh` that lays out the project. */
export async function runArchitect(input: AgentInput): Promise<PhaseResult> {
  const workspace = new SessionWorkspace(input.workDir);
  const title = projectTitle(input.projectName, input.userMission);
  const spec = [
    `# Technical Specification: ${title}`,
    '',
    `Session \`${input.sessionId}\`, iteration ${input.iteration}. Derived from \`${ARTIFACT_PATHS.prd}\`.`,
    '',
    '## Overview',
    '',
    input.userMission.trim(),
    '',
    '## Layout',
    '',
    '- `package.json`: the project manifest; `npm test` runs `node --test`.',
    '- `src/index.js`: the module that implements the mission.',
    '- `test/index.test.js`: its tests, run by QA.',
    '',
    '## Interfaces',
    '',
    '- `describeMission()` returns the mission this project implements.',
    '',
    feedbackSection(input.feedback),
  ].join('\n');
  const scaffold = [
    '#!/usr/bin/env bash',
    '# Lays out the project described in docs/TECH_SPEC.md. Safe to run more than once.',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    'mkdir -p src test',
    "cat > package.json <<'JSON'",
    JSON.stringify({ name: 'generated-project', version: '0.1.0', private: true, scripts: { test: 'node --test test/' } }, null, 2),
    'JSON',
    '',
  ].join('\n');
  const artifacts = [
    await workspace.writeArtifact('tech_spec', ARTIFACT_PATHS.tech_spec, spec),
    await workspace.writeArtifact('scaffold', ARTIFACT_PATHS.scaffold, scaffold, 0o755),
  ];
  await workspace.appendLog('architect', `Wrote ${artifacts.map((a) => a.path).join(' and ')}`);
  return { artifacts };
}
