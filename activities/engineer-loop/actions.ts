import { z } from 'zod';
import type { ToolSpec } from '../providers/openai/chat-types';
import { projectPath, stripFence } from '../providers/openai/model-output';
import type { EngineerActionSummary, EngineerToolName } from './contract';

/** Bounds of one action. */
export const ACTION_LIMITS = { path: 300, command: 1000, contentChars: 200_000, summary: 2000 } as const;

/** What each tool does, for the system prompt and the native tool definitions. */
export const TOOL_DESCRIPTIONS: Record<EngineerToolName, string> = {
  list_files: 'List the files of the project (not docs/history, logs, .git or node_modules).',
  read_file: 'Read one file of the work directory (docs/ included); long files are cut.',
  write_file: 'Create or overwrite one project file with the full content given.',
  replace_span: 'Edit one project file: replace old_text, which must occur exactly once, with new_text.',
  run_command: 'Run one shell command in the project directory (no network, time and output limited).',
  run_tests: "Run the project's tests (the command QA runs) and see the result.",
  done: 'Say the work is finished, with a short summary. Only when the tests pass or nothing more can be done.',
};

export const TOOL_NAMES = Object.keys(TOOL_DESCRIPTIONS) as EngineerToolName[];

const text = (max: number) => z.string().max(max);
const actionSchema = z.discriminatedUnion('tool', [
  z.object({ tool: z.literal('list_files') }).strict(),
  z.object({ tool: z.literal('read_file'), path: z.string().min(1).max(ACTION_LIMITS.path) }).strict(),
  z.object({ tool: z.literal('write_file'), path: projectPath, content: text(ACTION_LIMITS.contentChars) }).strict(),
  z
    .object({ tool: z.literal('replace_span'), path: projectPath, old_text: z.string().min(1).max(ACTION_LIMITS.contentChars), new_text: text(ACTION_LIMITS.contentChars) })
    .strict(),
  z.object({ tool: z.literal('run_command'), command: z.string().trim().min(1).max(ACTION_LIMITS.command) }).strict(),
  z.object({ tool: z.literal('run_tests') }).strict(),
  z.object({ tool: z.literal('done'), summary: text(ACTION_LIMITS.summary) }).strict(),
]);

/** One validated action. */
export type EngineerAction = z.infer<typeof actionSchema>;

/** Each tool's arguments as JSON Schema (every property required, nothing extra: strict-mode compatible). */
function argumentSchemas(contentChars: number | null): Record<EngineerToolName, { properties: Record<string, unknown>; required: string[] }> {
  const str = (maxLength: number) => (contentChars === null ? { type: 'string' } : { type: 'string', maxLength });
  const long = contentChars ?? ACTION_LIMITS.contentChars;
  return {
    list_files: { properties: {}, required: [] },
    read_file: { properties: { path: str(ACTION_LIMITS.path) }, required: ['path'] },
    write_file: { properties: { path: str(ACTION_LIMITS.path), content: str(long) }, required: ['path', 'content'] },
    replace_span: {
      properties: { path: str(ACTION_LIMITS.path), old_text: str(long), new_text: str(long) },
      required: ['path', 'old_text', 'new_text'],
    },
    run_command: { properties: { command: str(ACTION_LIMITS.command) }, required: ['command'] },
    run_tests: { properties: {}, required: [] },
    done: { properties: { summary: str(500) }, required: ['summary'] },
  };
}

/** The tools offered this turn (`done` withheld before the minimum number of turns). */
export function offeredTools(withholdDone: boolean): EngineerToolName[] {
  return TOOL_NAMES.filter((name) => !(withholdDone && name === 'done'));
}

/**
 * The `response_format` schema of one JSON action: one object per offered tool, told apart by `tool`.
 * `contentChars` bounds the long strings, so a small model's reply ends within its token limit. OpenAI's own
 * strict mode wants an object at the root and no `maxLength`: there the action goes in `{"action": ...}`.
 */
export function actionJsonSchema(tools: readonly EngineerToolName[], contentChars: number, openAiStrict = false): Record<string, unknown> {
  const schemas = argumentSchemas(openAiStrict ? null : contentChars);
  const anyOf = tools.map((tool) => ({
    type: 'object',
    properties: { tool: { type: 'string', enum: [tool] }, ...schemas[tool].properties },
    required: ['tool', ...schemas[tool].required],
    additionalProperties: false,
  }));
  if (!openAiStrict) return { anyOf };
  return { type: 'object', properties: { action: { anyOf } }, required: ['action'], additionalProperties: false };
}

/** Native tool definitions (chat-completions `tools`) of the offered tools. */
export function toolDefinitions(tools: readonly EngineerToolName[], contentChars: number): ToolSpec[] {
  const schemas = argumentSchemas(contentChars);
  return tools.map((tool) => ({
    name: tool,
    description: TOOL_DESCRIPTIONS[tool],
    parameters: { type: 'object', properties: schemas[tool].properties, required: schemas[tool].required, additionalProperties: false },
  }));
}

/** An action from a JSON value, or the reason it is not one (quoted back to the model in a repair request). */
export function parseAction(value: unknown, offered: readonly EngineerToolName[]): { action: EngineerAction } | { error: string } {
  const result = actionSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(action)'}: ${issue.message}`);
    return { error: `not a valid action: ${problems.join('; ')}` };
  }
  if (!offered.includes(result.data.tool)) return { error: `the tool ${result.data.tool} is not available this turn; use one of ${offered.join(', ')}` };
  return { action: result.data };
}

/** An action from a reply's text: JSON, perhaps in a Markdown fence. */
export function parseActionText(content: string, offered: readonly EngineerToolName[]): { action: EngineerAction } | { error: string } {
  try {
    const json: unknown = JSON.parse(stripFence(content));
    const wrapped = typeof json === 'object' && json !== null && !('tool' in json) && 'action' in json ? json.action : json;
    return parseAction(wrapped, offered);
  } catch (err) {
    return { error: `the reply is not JSON (${(err as Error).message}); it began ${JSON.stringify(content.slice(0, 80))}` };
  }
}

/** The action in at most 200 characters, without any file content. */
export function summarizeAction(action: EngineerAction | null, error: string | null): EngineerActionSummary {
  const cut = (value: string): string => (value.length > 200 ? `${value.slice(0, 197)}...` : value);
  if (!action) return { tool: 'invalid', summary: cut(`invalid action: ${error ?? 'unknown'}`) };
  switch (action.tool) {
    case 'list_files':
    case 'run_tests':
      return { tool: action.tool, summary: action.tool === 'run_tests' ? 'run the tests' : 'list the files' };
    case 'read_file':
      return { tool: action.tool, path: action.path, summary: cut(`read ${action.path}`) };
    case 'write_file':
      return { tool: action.tool, path: action.path, summary: cut(`write ${action.path} (${Buffer.byteLength(action.content)} bytes)`) };
    case 'replace_span':
      return { tool: action.tool, path: action.path, summary: cut(`edit ${action.path} (${action.old_text.length} → ${action.new_text.length} chars)`) };
    case 'run_command':
      return { tool: action.tool, summary: cut(`run ${oneLine(action.command)}`) };
    case 'done':
      return { tool: action.tool, summary: cut(`done: ${oneLine(action.summary)}`) };
  }
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}
