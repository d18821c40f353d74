import type { ProjectTests } from '../project/project-tests';
import { environmentOf } from '../project/test-commands';
import { fenced } from '../providers/openai/prompts';
import type { CodeRequest } from '../providers/types';
import { TOOL_DESCRIPTIONS, TOOL_NAMES } from './actions';
import type { TranscriptMessage } from './transcript';

/** A document longer than this is cut in the opening prompt (the model can still read it with read_file). */
const DOCUMENT_CHARS = 8_000;

/** The Engineer's system prompt: the role, the project's test command and environment, the tools and how to state an action. */
export function loopSystemPrompt(format: 'json' | 'tools', tests: Pick<ProjectTests, 'command' | 'language'>): string {
  const tools = TOOL_NAMES.map((name) => `- ${name}: ${TOOL_DESCRIPTIONS[name]}`).join('\n');
  const how =
    format === 'tools'
      ? 'Call exactly one tool per reply.'
      : 'Reply with exactly one action per reply, as one JSON object whose "tool" field names the tool, for example ' +
        '{"tool": "read_file", "path": "src/index.js"} or {"tool": "write_file", "path": "src/index.js", "content": "..."}.';
  return [
    'You are the software engineer. Implement the technical specification in the project in your work directory so that ' +
      `its tests pass with \`${tests.command}\` (${environmentOf(tests.language)}). Work step by step: ` +
      'look at the files, write or edit them, run the tests, fix what fails, and say done when the tests pass.',
    `Tools:\n${tools}`,
    how,
    'Paths are relative to the project root; you may read docs/ but never write under docs/, logs/, .git/ or node_modules/, nor scaffold.sh.',
  ].join('\n\n');
}

/** The opening user message: the brief, the documents, and QA's report when QA sent the work back. */
export function loopOpeningMessage(request: CodeRequest, files: readonly string[]): string {
  const lines = [`Mission: ${request.mission.trim()}`];
  if (request.projectName) lines.push(`Project name: ${request.projectName}`);
  lines.push(`Iteration: ${request.iteration}`);
  for (const entry of request.feedback) lines.push(`Reviewer feedback (iteration ${entry.iteration}): ${entry.feedback}`);
  const parts = [lines.join('\n'), fencedCut(`PRD (${request.paths.prd})`, request.prd), fencedCut(`Technical specification (${request.paths.techSpec})`, request.techSpec)];
  parts.push(`Project files now:\n${files.length > 0 ? files.map((file) => `- ${file}`).join('\n') : '(none)'}`);
  if (request.bugReport) {
    parts.push(
      fencedCut(`QA's bug report of the last attempt (${request.paths.bugReport}): run the failing tests with run_tests and fix what it reports`, request.bugReport),
    );
  }
  return parts.join('\n\n');
}

/** A document quoted as the providers' prompts quote it, cut at DOCUMENT_CHARS. */
function fencedCut(title: string, text: string): string {
  return fenced(title, text.length > DOCUMENT_CHARS ? `${text.slice(0, DOCUMENT_CHARS)}\n[cut at ${DOCUMENT_CHARS} characters; read the file for the rest]` : text);
}

/**
 * The messages to send: the opening ones, then the latest turns that fit in `budgetChars`, dropping the
 * oldest whole turns (an assistant message with the results that answer it) and saying so.
 */
export function fitContext(opening: TranscriptMessage[], turns: TranscriptMessage[][], budgetChars: number): TranscriptMessage[] {
  const size = (messages: TranscriptMessage[]): number => messages.reduce((sum, message) => sum + JSON.stringify(message).length, 0);
  let left = budgetChars - size(opening);
  const kept: TranscriptMessage[][] = [];
  for (let i = turns.length - 1; i >= 0; i -= 1) {
    const turn = turns[i]!;
    const cost = size(turn);
    if (cost > left && kept.length > 0) break;
    kept.unshift(turn);
    left -= cost;
  }
  const dropped = turns.length - kept.length;
  const notice: TranscriptMessage[] = dropped > 0 ? [{ role: 'user', content: `[${dropped} earlier turn(s) left out to fit the context; the files hold their work]` }] : [];
  return [...opening, ...notice, ...kept.flat()];
}
