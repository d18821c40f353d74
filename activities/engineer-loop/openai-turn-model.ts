import type { ActivityScope } from '../activity-scope';
import type { ChatClient } from '../providers/openai/chat-client';
import { actionJsonSchema, toolDefinitions } from './actions';
import type { TurnModel, TurnReply, TurnRequest } from './turn-model';

/** Reply limit of one action, in tokens, unless `OPENAI_MAX_TOKENS` says otherwise. */
const ACTION_REPLY_TOKENS = 4096;

/**
 * The Engineer's next action from an OpenAI-compatible chat model: native tool calls (`tool_choice: required`)
 * or one JSON action constrained by a JSON Schema, whose long strings are bounded to what fits in the reply limit.
 */
export class OpenAiTurnModel implements TurnModel {
  readonly name = 'openai';

  constructor(private readonly chat: ChatClient) {}

  async next(request: TurnRequest, scope: ActivityScope): Promise<TurnReply> {
    const replyTokens = this.chat.replyLimit(ACTION_REPLY_TOKENS);
    // About two characters per token leaves room for the JSON around the content.
    const contentChars = Math.max(200, Math.min(200_000, replyTokens * 2));
    const reply = await this.chat.converse(
      request.format === 'tools'
        ? { messages: request.messages, tools: toolDefinitions(request.tools, contentChars), toolChoice: 'required', maxTokens: replyTokens }
        : {
            messages: request.messages,
            json: { name: 'engineer_action', schema: actionJsonSchema(request.tools, contentChars, this.chat.isOpenAiItself) },
            maxTokens: replyTokens,
          },
      scope,
    );
    return { content: reply.content, toolCalls: reply.toolCalls, finishReason: reply.finishReason, usage: reply.usage };
  }
}
