import type { AgentBrief, CodeRequest, DesignRequest, PrdRequest, TestReviewRequest } from '../types';

const FEEDBACK_RULE =
  'End with a section headed exactly "## Feedback addressed" that quotes every piece of reviewer feedback verbatim, ' +
  'oldest first, each followed by how this revision addresses it (or "None yet: this is the first revision.").';

/** System prompts per role. */
export const SYSTEM_PROMPTS = {
  pm:
    'You are the product manager of a small software team. Write a concise product requirements document (PRD) in ' +
    'Markdown for the mission you are given: title, mission, goals, numbered requirements, acceptance criteria. ' +
    'Keep it implementable by one engineer in a small Node.js project with automated tests. ' +
    FEEDBACK_RULE,
  architect:
    'You are the software architect. From the PRD, write the technical specification (Markdown: overview, file ' +
    'layout, interfaces, test plan) and a bash script scaffold.sh that lays out a small runnable Node.js project in ' +
    'the current directory: package.json whose "test" script runs the node:test runner (node --test), the source ' +
    'files as stubs, and real node:test tests of the interfaces. The script must be idempotent, use no network and ' +
    'install no dependencies. In the specification, ' +
    FEEDBACK_RULE.charAt(0).toLowerCase() +
    FEEDBACK_RULE.slice(1) +
    ' Reply with JSON only: {"tech_spec": "<markdown>", "scaffold_sh": "<bash script>"}.',
  engineer:
    'You are the software engineer. Implement the specification in the project the scaffold laid out so that its ' +
    'tests pass with `npm test` (Node.js 20, CommonJS, no dependencies, no network). Reply with JSON only: ' +
    '{"files": [{"path": "<relative path>", "content": "<full file content>"}], "notes": "<what you changed>"}. ' +
    'Give complete file contents; paths are relative to the project root; never write under docs/, logs/, ' +
    '.git/ or node_modules/, nor scaffold.sh.',
  qa:
    'You are the QA engineer. Given a failing test report, explain briefly (Markdown bullet points, at most 15 lines) ' +
    'the likely causes and what the engineer should change. Do not repeat the output.',
} as const;

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

function fenced(title: string, text: string): string {
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
