import { ApplicationFailure } from '@temporalio/common';
import type { TokenUsage } from '../../../workflows/definitions';
import { addUsage } from '../../token-usage';
import { AgentFailureType, nonRetryable } from '../../failures';
import type { ProviderCall } from '../types';
import type { ChatClient } from './chat-client';
import type { ChatMessage } from './chat-types';
import { charBudget, withoutStringConstraints } from './reply-schemas';

/** Repair requests after the first reply, within one activity attempt, before the phase fails. */
export const MAX_REPAIRS = 2;

/** A structured question to the model: role prompts, the reply's schema (sized to a budget) and its parser. */
export interface StructuredQuestion<T> {
  /** Who asks, for log lines: `pm`, `architect`, … */
  role: string;
  system: string;
  user: string;
  /** The `response_format` name. */
  name: string;
  /** The reply's JSON Schema for a budget of `chars` characters. */
  schema: (chars: number) => Record<string, unknown>;
  /** The reply's value; throws an InvalidModelOutput failure naming what is wrong. */
  parse: (content: string) => T;
}

/**
 * Ask for a structured reply, and ask again (at most MAX_REPAIRS times) when the reply was cut off at the token
 * limit (the next one gets half the budget) or cannot be used (the next request quotes the reply and the
 * error). The tokens of every request are added up; after the last try the phase fails with InvalidModelOutput.
 */
export async function askStructured<T>(chat: ChatClient, question: StructuredQuestion<T>, call: ProviderCall): Promise<{ value: T; usage: TokenUsage }> {
  const maxTokens = chat.replyLimit();
  let budget = charBudget(maxTokens);
  let messages: ChatMessage[] = [
    { role: 'system', content: question.system },
    { role: 'user', content: question.user },
  ];
  let usage: TokenUsage | undefined;
  let problem = '';
  for (let request = 1; request <= MAX_REPAIRS + 1; request++) {
    const schema = question.schema(budget);
    const reply = await chat.converse(
      { messages, json: { name: question.name, schema: chat.isOpenAiItself ? (withoutStringConstraints(schema) as Record<string, unknown>) : schema }, maxTokens },
      call.scope,
    );
    usage = addUsage(usage, reply.usage);
    if (reply.finishReason === 'length') {
      problem = `the ${question.role}'s reply was cut off at the ${maxTokens}-token limit (OPENAI_MAX_TOKENS)`;
      budget = Math.floor(budget / 2);
      messages = [
        messages[0]!,
        { role: 'user', content: `${question.user}\n\nYour last reply was cut off at the length limit. Reply again, much shorter: at most ${budget} characters in all.` },
      ];
    } else if (reply.content === null || reply.content.trim() === '') {
      problem = `the ${question.role}'s reply was empty`;
    } else {
      try {
        return { value: question.parse(reply.content), usage: usage! };
      } catch (err) {
        if (!(err instanceof ApplicationFailure) || err.type !== AgentFailureType.INVALID_MODEL_OUTPUT) throw err;
        problem = err.message;
        messages = [
          messages[0]!,
          { role: 'user', content: question.user },
          { role: 'assistant', content: clip(reply.content, 4_000) },
          { role: 'user', content: `That reply cannot be used: ${problem}. Reply again with JSON only, in the shape asked for.` },
        ];
      }
    }
    if (request <= MAX_REPAIRS) {
      await call.log.write(`repair-${request}`, `Reply ${request} unusable (${problem}); asking again, ${MAX_REPAIRS - request + 1} repair(s) left`, { perAttempt: true });
    }
  }
  throw nonRetryable(
    AgentFailureType.INVALID_MODEL_OUTPUT,
    `${problem} (${MAX_REPAIRS + 1} replies, none usable; ${usage?.totalTokens ?? 0} tokens spent)`,
  );
}

function clip(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars)}…`;
}
