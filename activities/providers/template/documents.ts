import { ARTIFACT_PATHS } from '../../../workflows/definitions';
import { feedbackSection, projectTitle } from '../../agents/feedback-section';
import type { DesignRequest, PrdRequest } from '../types';
import { testCommandSection } from '../../project/project-tests';
import { languageOf, type TestCommand } from '../../project/test-commands';
import { TEMPLATE_FILES } from './project';
import { PYTHON_FILES } from './python-project';
import { templateTestCommand } from './scaffold';

/** The template PRD: the mission, its requirements (mission plus every piece of feedback) and acceptance criteria. */
export function templatePrd(request: PrdRequest): string {
  const pmFeedback = request.feedback.filter((entry) => entry.rejectTo === 'pm');
  return [
    `# Product Requirements: ${projectTitle(request.projectName, request.mission)}`,
    '',
    `Session \`${request.sessionId}\`, revision ${pmFeedback.length + 1}.`,
    '',
    '## Mission',
    '',
    request.mission.trim(),
    '',
    '## Goals',
    '',
    '- Deliver the mission as a small, runnable project with automated tests.',
    '- Keep the public interface documented in the technical specification.',
    '',
    '## Requirements',
    '',
    `1. ${oneLine(request.mission)}`,
    ...request.feedback.map((entry, index) => `${index + 2}. ${oneLine(entry.feedback)}`),
    '',
    '## Acceptance criteria',
    '',
    '- The project installs and its test command passes on a clean machine.',
    '- Every point of reviewer feedback below is reflected in the design.',
    '',
    feedbackSection(request.feedback),
  ].join('\n');
}

/**
 * The template technical specification: layout, interface and test plan of the generated project (Node, or Python
 * when `command` is pytest), ending with the test command QA runs.
 */
export function templateTechSpec(request: DesignRequest, command: TestCommand = templateTestCommand(request)): string {
  const title = projectTitle(request.projectName, request.mission);
  const python = languageOf(command) === 'python';
  return [
    `# Technical Specification: ${title}`,
    '',
    `Session \`${request.sessionId}\`, iteration ${request.iteration}. Derived from \`${ARTIFACT_PATHS.prd}\`.`,
    '',
    '## Overview',
    '',
    request.mission.trim(),
    '',
    '## Layout',
    '',
    ...(python
      ? [
          `- \`${PYTHON_FILES.config}\`: pytest's settings; the tests are under \`tests/\` and import the sources from \`src/\`.`,
          `- \`${PYTHON_FILES.module}\`: the module that implements the mission (a stub until the engineer writes it).`,
          `- \`${PYTHON_FILES.test}\`: its tests (pytest), laid out by \`scaffold.sh\` and run by QA.`,
        ]
      : [
          `- \`${TEMPLATE_FILES.manifest}\`: the project manifest; \`npm test\` runs \`node --test\`.`,
          `- \`${TEMPLATE_FILES.module}\`: the module that implements the mission (a stub until the engineer writes it).`,
          `- \`${TEMPLATE_FILES.test}\`: its tests (node:test), laid out by \`scaffold.sh\` and run by QA.`,
        ]),
    '',
    '## Interfaces',
    '',
    ...(python
      ? [
          '- `describe_mission()` returns the mission this project implements.',
          '- `requirements()` returns the requirements: the mission first, then every piece of reviewer feedback, verbatim.',
          `- \`summary()\` returns \`"${title}: <n> requirement(s)"\`.`,
        ]
      : [
          '- `describeMission()` returns the mission this project implements.',
          '- `requirements()` returns the requirements: the mission first, then every piece of reviewer feedback, verbatim.',
          `- \`summary()\` returns \`"${title}: <n> requirement(s)"\`.`,
        ]),
    '',
    '## Test plan',
    '',
    `- One test per interface function; QA runs \`${command}\` in the work directory and reports counts and failures.`,
    '',
    feedbackSection(request.feedback),
    testCommandSection(command),
  ].join('\n');
}

function oneLine(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}
