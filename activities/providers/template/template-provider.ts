import type { AgentProvider, CodeRequest, CodeResult, DesignRequest, Drafted, PrdRequest } from '../types';
import { templatePrd, templateTechSpec } from './documents';
import { TEMPLATE_FILES, templateModule, templateScaffold } from './project';

/**
 * The offline, deterministic provider: documents derived from the mission and every piece of feedback, a
 * scaffold that lays out a Node project with real node:test tests, and the module that makes them pass.
 */
export class TemplateProvider implements AgentProvider {
  readonly name = 'template' as const;

  writePrd(request: PrdRequest): Promise<Drafted<string>> {
    return Promise.resolve({ value: templatePrd(request) });
  }

  writeDesign(request: DesignRequest): Promise<Drafted<{ techSpec: string; scaffold: string }>> {
    return Promise.resolve({ value: { techSpec: templateTechSpec(request), scaffold: templateScaffold(request) } });
  }

  writeCode(request: CodeRequest): Promise<Drafted<CodeResult>> {
    const notes = request.bugReport
      ? 'Rewrote the module from the specification after QA reported failures.'
      : 'Implemented the module the specification describes.';
    return Promise.resolve({ value: { kind: 'files', files: [{ path: TEMPLATE_FILES.module, content: templateModule(request) }], notes } });
  }

  reviewTestRun(): Promise<Drafted<string | null>> {
    return Promise.resolve({ value: null });
  }
}
