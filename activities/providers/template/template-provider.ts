import type { AgentProvider, CodeRequest, CodeResult, DesignRequest, Drafted, PrdRequest } from '../types';
import { templatePrd, templateTechSpec } from './documents';
import { templateCodeFile, templateScaffold, templateTestCommand } from './scaffold';

/**
 * The offline, deterministic provider: documents derived from the mission and every piece of feedback, a
 * scaffold that lays out a Node project with real node:test tests (a Python one with pytest tests when the mission,
 * project name or feedback names Python), and the module that makes them pass.
 */
export class TemplateProvider implements AgentProvider {
  readonly name = 'template' as const;

  writePrd(request: PrdRequest): Promise<Drafted<string>> {
    return Promise.resolve({ value: templatePrd(request) });
  }

  writeDesign(request: DesignRequest): Promise<Drafted<{ techSpec: string; scaffold: string }>> {
    const command = templateTestCommand(request);
    return Promise.resolve({ value: { techSpec: templateTechSpec(request, command), scaffold: templateScaffold(request, command) } });
  }

  writeCode(request: CodeRequest): Promise<Drafted<CodeResult>> {
    const notes = request.bugReport
      ? 'Rewrote the module from the specification after QA reported failures.'
      : 'Implemented the module the specification describes.';
    return Promise.resolve({ value: { kind: 'files', files: [templateCodeFile(request, request.tests.language)], notes } });
  }

  reviewTestRun(): Promise<Drafted<string | null>> {
    return Promise.resolve({ value: null });
  }
}
