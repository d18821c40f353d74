import type { ProjectTests } from '../../project/project-tests';
import { environmentOf, testCommandChoices } from '../../project/test-commands';
import type { AgentBrief, CodeRequest, DesignRequest, PrdRequest, TestReviewRequest } from '../types';

const FEEDBACK_RULE =
  'When there is reviewer feedback, say in "feedback_response" how this revision addresses each piece of it, oldest ' +
  'first; otherwise leave it empty.';

/** System prompts per role; every reply is JSON in the shape named here (and sent as `response_format`). */
export const SYSTEM_PROMPTS = {
  pm:
    'You are the product manager of a small software team. Write a concise product requirements document for the ' +
    'mission you are given, implementable by one engineer in a small project with automated tests (Node.js, or ' +
    'Python when the mission asks for it). ' +
    'Reply with JSON only: {"title": "<short title>", "goals": ["<goal>"], "requirements": ["<numbered requirement>"], ' +
    '"acceptance_criteria": ["<testable criterion>"], "feedback_response": "<text>"}. Keep every entry to one sentence. ' +
    FEEDBACK_RULE,
  architect:
    'You are the software architect. From the PRD, choose the project\'s test command, then write the technical ' +
    'specification and the files of a small runnable project (no dependencies, no network): what the test command ' +
    'needs, the source files as stubs, and real tests of the interfaces. "test_command" is exactly one of: ' +
    `${testCommandChoices()}. Use Node.js (CommonJS) unless the PRD asks for Python. Reply with JSON only: ` +
    '{"test_command": "<one of those>", "overview": "<markdown>", "interfaces": "<markdown>", "test_plan": "<markdown>", ' +
    '"files": [{"path": "<relative path>", "purpose": "<one line>", "content": "<file content>"}], "feedback_response": "<text>"}. ' +
    'The files are written as they are by scaffold.sh; never under docs/, logs/, .git/ or node_modules/. ' +
    FEEDBACK_RULE,
  qa:
    'You are the QA engineer. Given a failing test report, explain briefly the likely causes and what the engineer ' +
    'should change, without repeating the output. Reply with JSON only: {"notes": ["<one short point>"]}.',
} as const;

/** The single-shot Engineer's system prompt: the project's test command and the environment its tests run in. */
export function engineerSystemPrompt(tests: Pick<ProjectTests, 'command' | 'language'>): string {
  return (
    'You are the software engineer. Implement the specification in the project the scaffold laid out so that its ' +
    `tests pass with \`${tests.command}\` (${environmentOf(tests.language)}). Reply with JSON only: ` +
    '{"files": [{"path": "<relative path>", "content": "<full file content>"}], "notes": "<what you changed>"}. ' +
    'Give complete file contents; paths are relative to the project root; never write under docs/, logs/, ' +
    '.git/ or node_modules/, nor scaffold.sh.'
  );
}

function briefLines(brief: AgentBrief): string[] {
  const lines = [`Mission: ${brief.mission.trim()}`];
  if (brief.projectName) lines.push(`Project name: ${brief.projectName}`);
  lines.push(`Iteration: ${brief.iteration}`);
  if (brief.feedback.length === 0) lines.push('Reviewer feedback so far: none.');
  else {
    lines.push('Reviewer feedback so far (oldest first):');
    for (const entry of brief.feedback) lines.push(`- [iteration ${entry.iteration}, sent back to ${entry.rejectTo}] ${entry.feedback}`);
  }
  return lines;
}

/** A document quoted to the model: its title, then the text between `<<<` and `>>>`. */
export function fenced(title: string, text: string): string {
  return `${title}:\n<<<\n${text.trim()}\n>>>`;
}

export function prdPrompt(request: PrdRequest): string {
  const parts = [briefLines(request).join('\n')];
  if (request.previousPrd) parts.push(fenced('The current PRD, to revise', request.previousPrd));
  return parts.join('\n\n');
}

export function designPrompt(request: DesignRequest): string {
  const parts = [briefLines(request).join('\n'), fenced('PRD', request.prd)];
  if (request.previousSpec) parts.push(fenced('The current technical specification, to revise', request.previousSpec));
  return parts.join('\n\n');
}

/** The engineer's prompt; `projectFiles` are the current project files (path and content), already size-bounded. */
export function codePrompt(request: CodeRequest, scaffold: string | null, projectFiles: { path: string; content: string }[]): string {
  const parts = [briefLines(request).join('\n'), fenced('PRD', request.prd), fenced('Technical specification', request.techSpec)];
  if (scaffold) parts.push(fenced('scaffold.sh (already run)', scaffold));
  for (const file of projectFiles) parts.push(fenced(`Current file ${file.path}`, file.content));
  if (request.bugReport) parts.push(fenced('QA bug report of the last attempt: fix what it reports', request.bugReport));
  return parts.join('\n\n');
}

export function testReviewPrompt(request: TestReviewRequest): string {
  return [briefLines(request).join('\n'), fenced('Bug report', request.report)].join('\n\n');
}
