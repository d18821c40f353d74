import type { AgentDeps } from '../agents/agent-deps';
import { runStep } from '../agents/phase-runner';
import { AgentFailureType, nonRetryable } from '../failures';
import type { EngineerToolInput, EngineerToolResult } from './contract';
import { errorMessages } from './model-turn';
import { runTool, type ToolOutcome } from './tools';
import { readRecord, recordedStep, type ToolRecord, type TranscriptMessage, TranscriptError, transcriptPath, writeRecord } from './transcript';

/**
 * `engineerTool`: carries out the action a model turn chose and appends its result to the transcript. A retry
 * whose result is already written returns it; a retried write of the same content or an edit already applied
 * changes nothing. A failed turn's "result" tells the model what was wrong.
 */
export function createToolStep(deps: AgentDeps): (input: EngineerToolInput) => Promise<EngineerToolResult> {
  return (input) =>
    runStep('engineer', input, async (ctx) => {
      const path = transcriptPath(input.iteration, input.turn, 'tool');
      const recorded = await recordedStep(ctx.workspace, path, input.actionRef, 'tool');
      if (recorded) return resultOf(recorded.record, recorded.ref);

      const model = await readRecord(ctx.workspace, input.actionRef, 'model').catch((err: unknown) => {
        throw err instanceof TranscriptError ? nonRetryable(AgentFailureType.CONFIG, err.message, err) : err;
      });
      if (model.turn !== input.turn) throw nonRetryable(AgentFailureType.CONFIG, `${input.actionRef.path} is turn ${model.turn}, not ${input.turn}`);
      const assistant = model.messages[0];
      let outcome: ToolOutcome;
      if (model.action) {
        outcome = await runTool(model.action, {
          ctx,
          deps,
          untrusted: deps.providers.codeIsModelWritten ? 'model-written code' : null,
          editRecordPath: transcriptPath(input.iteration, input.turn, 'edit'),
        });
      } else {
        outcome = { text: `${model.error ?? 'no action'}. This turn was lost; reply with one valid action.`, summary: 'invalid action, turn lost', done: false, artifacts: [] };
      }
      const messages: TranscriptMessage[] = model.action
        ? resultMessages(assistant, model.action.tool, outcome.text)
        : errorMessages(assistant && assistant.role === 'assistant' ? assistant : {}, outcome.text);
      const record: ToolRecord = {
        kind: 'tool',
        previous: input.actionRef,
        turn: input.turn,
        messages,
        summary: `turn ${input.turn}: ${outcome.summary}`,
        done: outcome.done,
        artifacts: outcome.artifacts,
      };
      const ref = await writeRecord(ctx.workspace, path, record);
      await ctx.log.write('tool', record.summary);
      return resultOf(record, ref);
    });
}

/** A tool's result as the model reads it: the answer to its tool call, or a user message naming the tool. */
function resultMessages(assistant: TranscriptMessage | undefined, tool: string, text: string): TranscriptMessage[] {
  const call = assistant?.role === 'assistant' ? assistant.toolCalls?.[0] : undefined;
  return call ? [{ role: 'tool', toolCallId: call.id, content: text }] : [{ role: 'user', content: `Result of ${tool}:\n${text}` }];
}

function resultOf(record: ToolRecord, ref: EngineerToolResult['transcript']): EngineerToolResult {
  return { transcript: ref, summary: record.summary, done: record.done, artifacts: record.artifacts };
}
