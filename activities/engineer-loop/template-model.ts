import { templateCodeFile } from '../providers/template/scaffold';
import type { EngineerAction } from './actions';
import type { TurnModel, TurnReply, TurnRequest } from './turn-model';

/**
 * The template provider's "model": a fixed script that writes the template project's module (Node, or Python when
 * the opening says the project is) through the loop's tools, so offline sessions exercise every step without a
 * model. After a QA failure it first runs the failing tests itself. While `done` is withheld it lists the files
 * instead of finishing.
 */
export class TemplateTurnModel implements TurnModel {
  readonly name = 'template';

  next(request: TurnRequest): Promise<TurnReply> {
    const { brief, bugReport, project } = request.opening;
    const file = templateCodeFile(brief, project?.language ?? 'node');
    const script: EngineerAction[] = [
      ...(bugReport ? [{ tool: 'run_tests' } as const] : []),
      { tool: 'write_file', path: file.path, content: file.content },
      { tool: 'run_tests' },
      { tool: 'done', summary: bugReport ? 'Rewrote the module from the specification after QA reported failures.' : 'Implemented the module the specification describes.' },
    ];
    let action = script[Math.min(request.previousTurns, script.length - 1)]!;
    if (action.tool === 'done' && !request.tools.includes('done')) action = { tool: 'list_files' };
    if (request.format === 'tools') {
      const { tool, ...args } = action;
      const id = `call_template_${request.previousTurns + 1}`;
      return Promise.resolve({ content: null, toolCalls: [{ id, name: tool, arguments: JSON.stringify(args) }], finishReason: 'tool_calls' });
    }
    return Promise.resolve({ content: JSON.stringify(action), toolCalls: [], finishReason: 'stop' });
  }
}
