import type { TokenUsage } from '../../workflows/definitions';
import type { AgentDeps } from '../agents/agent-deps';
import { runStep } from '../agents/phase-runner';
import { addUsage } from '../token-usage';
import { AgentFailureType, nonRetryable } from '../failures';
import type { EngineerToolName } from './contract';
import { type EngineerAction, offeredTools, parseAction, parseActionText, summarizeAction } from './actions';
import type { EngineerModelTurnInput, EngineerModelTurnResult } from './contract';
import { fitContext } from './prompt';
import { type ModelRecord, readChain, recordedStep, type TranscriptMessage, transcriptPath, TranscriptError, writeRecord } from './transcript';
import type { TurnModel, TurnReply } from './turn-model';

/** How the loop's model turns are made. */
export interface ModelTurnOptions {
  /** The model for a provider name (`template` or `openai`). */
  modelFor(provider: string): TurnModel;
}

/**
 * `engineerModelTurn`: one request for the next action. A reply that is not a valid action gets one repair
 * request quoting the error, then the turn counts as failed (the tool step tells the model why). A retry whose
 * turn file is already written returns it without asking the model again.
 */
export function createModelTurn(deps: AgentDeps, options: ModelTurnOptions): (input: EngineerModelTurnInput) => Promise<EngineerModelTurnResult> {
  return (input) =>
    runStep('engineer', input, async (ctx) => {
      const path = transcriptPath(input.iteration, input.turn, 'model');
      const recorded = await recordedStep(ctx.workspace, path, input.transcript, 'model');
      if (recorded) return resultOf(recorded.record, recorded.ref);

      const chain = await readChain(ctx.workspace, input.transcript).catch((err: unknown) => {
        throw err instanceof TranscriptError ? nonRetryable(AgentFailureType.CONFIG, err.message, err) : err;
      });
      const opening = chain[0]!;
      if (opening.kind !== 'opening') throw nonRetryable(AgentFailureType.CONFIG, `${input.transcript.path} does not begin with the opening`);
      const previousTurns = chain.filter((record) => record.kind === 'model').length;
      if (previousTurns !== input.turn - 1) {
        throw nonRetryable(AgentFailureType.CONFIG, `turn ${input.turn} was given the transcript after turn ${previousTurns}`);
      }
      const model = options.modelFor(opening.provider);
      const tools = offeredTools(input.withholdDone);
      const turns = chain.slice(1).reduce<TranscriptMessage[][]>((acc, record) => {
        if (record.kind === 'model') acc.push([...record.messages]);
        else acc.at(-1)?.push(...record.messages);
        return acc;
      }, []);
      const messages = fitContext(opening.messages, turns, deps.config.agentContextChars);
      const ask = (conversation: TranscriptMessage[]): Promise<TurnReply> =>
        model.next({ messages: conversation, tools, format: opening.format, opening, previousTurns }, ctx.scope);

      const replies: TurnReply[] = [await ask(messages)];
      let parsed = interpret(replies[0]!, tools);
      if ('error' in parsed) {
        const repair = [...messages, assistantMessage(replies[0]!), ...errorMessages(replies[0]!, `${parsed.error}. Reply again with exactly one valid action.`)];
        replies.push(await ask(repair));
        parsed = interpret(replies[1]!, tools);
      }
      const action: EngineerAction | null = 'action' in parsed ? parsed.action : null;
      const error = 'error' in parsed ? parsed.error : null;
      const usage = addUsage(...replies.map((reply) => reply.usage)) ?? null;
      const record: ModelRecord = {
        kind: 'model',
        previous: input.transcript,
        turn: input.turn,
        messages: [assistantMessage(replies.at(-1)!)],
        withholdDone: input.withholdDone,
        replies: replies.map((reply) => ({ content: reply.content, toolCalls: reply.toolCalls, finishReason: reply.finishReason })),
        action,
        error,
        usage,
      };
      const ref = await writeRecord(ctx.workspace, path, record);
      const result = resultOf(record, ref);
      const repaired = replies.length > 1 ? (action ? ' after one repair' : ' (failed turn after one repair)') : '';
      await ctx.log.write('model-turn', `turn ${input.turn}: ${model.name} chose ${result.action.summary}${repaired}${usage ? `; ${tokens(usage)}` : ''}`);
      return result;
    });
}

/** The action a reply states: its first native tool call, else its text as JSON. */
function interpret(reply: TurnReply, tools: readonly EngineerToolName[]): { action: EngineerAction } | { error: string } {
  if (reply.finishReason === 'length') {
    return { error: 'the reply was cut off at the token limit; give a shorter action (write a small file first, then extend it with replace_span)' };
  }
  const call = reply.toolCalls[0];
  if (call) {
    let args: unknown;
    try {
      args = JSON.parse(call.arguments || '{}');
    } catch (err) {
      return { error: `the arguments of ${call.name} are not JSON (${(err as Error).message})` };
    }
    return parseAction({ ...(typeof args === 'object' && args !== null ? args : {}), tool: call.name }, tools);
  }
  if (reply.content === null || reply.content.trim() === '') return { error: 'the reply was empty' };
  return parseActionText(reply.content, tools);
}

/** The reply as it joins the conversation (one tool call at most: one action per turn). */
function assistantMessage(reply: TurnReply): TranscriptMessage {
  return { role: 'assistant', content: reply.content, ...(reply.toolCalls.length > 0 ? { toolCalls: reply.toolCalls.slice(0, 1) } : {}) };
}

/** How a problem with a reply is told to the model: as the answer to its tool call, or as a user message. */
export function errorMessages(reply: { toolCalls?: readonly { id: string }[] | undefined }, text: string): TranscriptMessage[] {
  const call = reply.toolCalls?.[0];
  return call ? [{ role: 'tool', toolCallId: call.id, content: `error: ${text}` }] : [{ role: 'user', content: `Error: ${text}` }];
}

function resultOf(record: ModelRecord, ref: EngineerModelTurnResult['actionRef']): EngineerModelTurnResult {
  return { action: summarizeAction(record.action, record.error), actionRef: ref, ...(record.usage ? { usage: record.usage } : {}) };
}

function tokens(usage: TokenUsage): string {
  return `${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens in ${usage.requests} request(s)`;
}
