import { ARTIFACT_PATHS } from '../../../workflows/definitions';
import { NON_PROJECT_DIRS } from '../../workspace';
import type {
  AgentProvider,
  CodeRequest,
  CodeResult,
  DesignRequest,
  Drafted,
  PrdRequest,
  ProviderCall,
  TestReviewRequest,
} from '../types';
import { type ChatClient } from './chat-client';
import { renderPrd, renderScaffold, renderTechSpec } from './documents';
import { parseCodeReply, parseDesignReply, parsePrdReply, parseQaNotesReply } from './model-output';
import { codePrompt, designPrompt, engineerSystemPrompt, prdPrompt, SYSTEM_PROMPTS, testReviewPrompt } from './prompts';
import { codeSchema, designSchema, prdSchema, qaNotesSchema } from './reply-schemas';
import { askStructured } from './structured-ask';

/** How much of the current project the engineer is shown, in characters. */
const PROJECT_CONTEXT_CHARS = 60_000;

/**
 * A provider backed by any OpenAI-compatible chat-completions endpoint: role prompts per phase, structured
 * (JSON Schema) replies sized to the reply limit, validated before anything is written and repaired when cut off
 * or malformed, and the documents' sections laid out from them; token usage returned per phase.
 */
export class OpenAiProvider implements AgentProvider {
  readonly name = 'openai' as const;

  constructor(private readonly chat: ChatClient) {}

  async writePrd(request: PrdRequest, call: ProviderCall): Promise<Drafted<string>> {
    const { value, usage } = await askStructured(
      this.chat,
      { role: 'PM', system: SYSTEM_PROMPTS.pm, user: prdPrompt(request), name: 'prd', schema: prdSchema, parse: parsePrdReply },
      call,
    );
    return { value: renderPrd(value, request), usage };
  }

  async writeDesign(request: DesignRequest, call: ProviderCall): Promise<Drafted<{ techSpec: string; scaffold: string }>> {
    const { value, usage } = await askStructured(
      this.chat,
      { role: 'architect', system: SYSTEM_PROMPTS.architect, user: designPrompt(request), name: 'design', schema: designSchema, parse: parseDesignReply },
      call,
    );
    return { value: { techSpec: renderTechSpec(value, request), scaffold: renderScaffold(value.files, value.test_command) }, usage };
  }

  async writeCode(request: CodeRequest, call: ProviderCall): Promise<Drafted<CodeResult>> {
    const scaffold = await call.workspace.readText(ARTIFACT_PATHS.scaffold);
    const files: { path: string; content: string }[] = [];
    let budget = PROJECT_CONTEXT_CHARS;
    for (const file of await call.workspace.listFiles([...NON_PROJECT_DIRS, ARTIFACT_PATHS.scaffold], 200)) {
      const content = await call.workspace.readText(file, 256 * 1024).catch(() => null);
      if (content === null || content.includes('\0') || content.length > budget) continue;
      budget -= content.length;
      files.push({ path: file, content });
    }
    const { value, usage } = await askStructured(
      this.chat,
      { role: 'engineer', system: engineerSystemPrompt(request.tests), user: codePrompt(request, scaffold, files), name: 'code', schema: codeSchema, parse: parseCodeReply },
      call,
    );
    return { value: { kind: 'files', files: value.files, notes: value.notes }, usage };
  }

  async reviewTestRun(request: TestReviewRequest, call: ProviderCall): Promise<Drafted<string | null>> {
    const { value, usage } = await askStructured(
      this.chat,
      { role: 'QA', system: SYSTEM_PROMPTS.qa, user: testReviewPrompt(request), name: 'qa_notes', schema: qaNotesSchema, parse: parseQaNotesReply },
      call,
    );
    return { value: value.map((note) => `- ${note.trim().replace(/\s+/g, ' ')}`).join('\n'), usage };
  }
}
