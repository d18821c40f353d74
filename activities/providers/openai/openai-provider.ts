import { ARTIFACT_PATHS, type TokenUsage } from '../../../workflows/definitions';
import { feedbackSection } from '../../agents/feedback-section';
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
import { type ChatClient, type ChatRequest } from './chat-client';
import { CODE_SCHEMA, DESIGN_SCHEMA, parseCodeReply, parseDesignReply } from './model-output';
import { codePrompt, designPrompt, prdPrompt, SYSTEM_PROMPTS, testReviewPrompt } from './prompts';

/** How much of the current project the engineer is shown, in characters. */
const PROJECT_CONTEXT_CHARS = 60_000;
const SKIPPED_DIRS = ['docs', 'logs', '.git', 'node_modules'];

/**
 * A provider backed by any OpenAI-compatible chat-completions endpoint: role prompts per phase, JSON replies
 * for the architect and engineer (validated before anything is written), token usage returned per call.
 */
export class OpenAiProvider implements AgentProvider {
  readonly name = 'openai' as const;

  constructor(private readonly chat: ChatClient) {}

  async writePrd(request: PrdRequest, call: ProviderCall): Promise<Drafted<string>> {
    const reply = await this.ask({ system: SYSTEM_PROMPTS.pm, user: prdPrompt(request) }, call);
    return { value: withFeedbackSection(stripFence(reply.content), request.feedback), usage: reply.usage };
  }

  async writeDesign(request: DesignRequest, call: ProviderCall): Promise<Drafted<{ techSpec: string; scaffold: string }>> {
    const reply = await this.ask(
      { system: SYSTEM_PROMPTS.architect, user: designPrompt(request), json: { name: 'design', schema: DESIGN_SCHEMA } },
      call,
    );
    const design = parseDesignReply(reply.content);
    return { value: { ...design, techSpec: withFeedbackSection(design.techSpec, request.feedback) }, usage: reply.usage };
  }

  async writeCode(request: CodeRequest, call: ProviderCall): Promise<Drafted<CodeResult>> {
    const scaffold = await call.workspace.readText(ARTIFACT_PATHS.scaffold);
    const files: { path: string; content: string }[] = [];
    let budget = PROJECT_CONTEXT_CHARS;
    for (const file of await call.workspace.listFiles([...SKIPPED_DIRS, ARTIFACT_PATHS.scaffold], 200)) {
      const content = await call.workspace.readText(file, 256 * 1024).catch(() => null);
      if (content === null || content.includes('\0') || content.length > budget) continue;
      budget -= content.length;
      files.push({ path: file, content });
    }
    const reply = await this.ask(
      { system: SYSTEM_PROMPTS.engineer, user: codePrompt(request, scaffold, files), json: { name: 'code', schema: CODE_SCHEMA } },
      call,
    );
    const code = parseCodeReply(reply.content);
    return { value: { kind: 'files', files: code.files, notes: code.notes }, usage: reply.usage };
  }

  async reviewTestRun(request: TestReviewRequest, call: ProviderCall): Promise<Drafted<string | null>> {
    const reply = await this.ask({ system: SYSTEM_PROMPTS.qa, user: testReviewPrompt(request) }, call);
    return { value: stripFence(reply.content), usage: reply.usage };
  }

  private async ask(request: ChatRequest, call: ProviderCall): Promise<{ content: string; usage: TokenUsage }> {
    return this.chat.complete(request, call.scope);
  }
}

/** A document from a model keeps the verbatim feedback list even when the model forgot the section. */
function withFeedbackSection(document: string, feedback: Parameters<typeof feedbackSection>[0]): string {
  const text = document.trim();
  if (/^##\s+Feedback addressed\s*$/m.test(text) && feedback.every((entry) => text.includes(entry.feedback.trim()))) return `${text}\n`;
  return `${text}\n\n${feedbackSection(feedback)}`;
}

function stripFence(content: string): string {
  const fenced = /^\s*```(?:markdown|md)?\s*\n([\s\S]*?)\n```\s*$/.exec(content);
  return fenced ? fenced[1]! : content.trim();
}
