import { ARTIFACT_PATHS } from '../../../workflows/definitions';
import { feedbackSection } from '../../agents/feedback-section';
import { testCommandSection } from '../../project/project-tests';
import type { TestCommand } from '../../project/test-commands';
import type { AgentBrief } from '../types';
import type { DesignReply, PrdReply } from './model-output';

/**
 * Markdown documents and `scaffold.sh` built from a model's structured reply: the sections are ours, so every
 * document has every required section whatever the model wrote in them.
 */

/** The PRD: the mission verbatim, the model's goals, requirements and criteria, and the feedback section. */
export function renderPrd(reply: PrdReply, brief: AgentBrief): string {
  return [
    `# Product Requirements: ${oneLine(reply.title)}`,
    '',
    '## Mission',
    '',
    brief.mission.trim(),
    '',
    '## Goals',
    '',
    ...reply.goals.map((goal) => `- ${oneLine(goal)}`),
    '',
    '## Requirements',
    '',
    ...reply.requirements.map((requirement, index) => `${index + 1}. ${oneLine(requirement)}`),
    '',
    '## Acceptance criteria',
    '',
    ...reply.acceptance_criteria.map((criterion) => `- ${oneLine(criterion)}`),
    '',
    feedbackPart(reply.feedback_response, brief),
  ].join('\n');
}

/** The technical specification: overview, the layout of the scaffold's files, interfaces, test plan, feedback, and last the test command. */
export function renderTechSpec(reply: DesignReply, brief: AgentBrief): string {
  return [
    `# Technical Specification: ${oneLine(brief.projectName ?? brief.mission).slice(0, 100)}`,
    '',
    `Derived from \`${ARTIFACT_PATHS.prd}\`, iteration ${brief.iteration}.`,
    '',
    '## Overview',
    '',
    reply.overview.trim(),
    '',
    '## Layout',
    '',
    ...reply.files.map((file) => `- \`${file.path}\`: ${oneLine(file.purpose) || 'laid out by scaffold.sh'}`),
    '',
    '## Interfaces',
    '',
    reply.interfaces.trim(),
    '',
    '## Test plan',
    '',
    reply.test_plan.trim(),
    '',
    feedbackPart(reply.feedback_response, brief),
    testCommandSection(reply.test_command),
  ].join('\n');
}

/**
 * A `scaffold.sh` that writes exactly the architect's files: validated paths, single-quoted, contents in quoted
 * here-documents whose delimiter the content does not contain, so the script always runs and writes them verbatim.
 */
export function renderScaffold(files: DesignReply['files'], command: TestCommand): string {
  const dirs = [...new Set(files.map((file) => file.path.split('/').slice(0, -1).join('/')).filter(Boolean))];
  const lines = [
    '#!/usr/bin/env bash',
    `# Lays out the architect's ${files.length} file(s) of a project whose tests run with \`${command}\`; written by the orchestrator from the architect's reply.`,
    'set -euo pipefail',
  ];
  if (dirs.length > 0) lines.push(`mkdir -p ${dirs.map(shellQuote).join(' ')}`);
  for (const file of files) {
    const content = file.content.endsWith('\n') || file.content === '' ? file.content : `${file.content}\n`;
    let delimiter = 'ORCHESTRATOR_EOF';
    while (content.split('\n').includes(delimiter)) delimiter += '_';
    lines.push(`cat > ${shellQuote(file.path)} <<'${delimiter}'`, `${content}${delimiter}`);
  }
  return `${lines.join('\n')}\n`;
}

function feedbackPart(response: string, brief: AgentBrief): string {
  const section = feedbackSection(brief.feedback);
  if (brief.feedback.length === 0 || response.trim() === '') return section;
  return `${section}\nHow this revision addresses it: ${response.trim()}\n`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function oneLine(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}
