import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { TokenUsage } from '../../../workflows/definitions';
import { type ActivityScope, withHeartbeats } from '../../activity-scope';
import { recordSpent } from '../../attempt-ledger';
import { AgentFailureType, nonRetryable, retryable } from '../../failures';
import type { ChatMessage, ConversationReply, ConversationRequest, JsonReplyFormat, ToolCall } from './chat-types';

export type { ChatMessage, ConversationReply, ConversationRequest, JsonReplyFormat, ToolCall, ToolSpec } from './chat-types';

/** Settings of an OpenAI-compatible endpoint. */
export interface ChatSettings {
  /** Unset means OpenAI's own endpoint. */
  baseUrl?: string;
  apiKey?: string;
  model: string;
  responseFormat: 'json_schema' | 'json_object' | 'none';
  timeoutMs: number;
  /** `OPENAI_MAX_TOKENS`: the most tokens any reply may have; a request may ask for fewer. */
  maxTokens: number;
}

type SdkMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** HTTP statuses worth retrying: timeout, conflict, rate limit, and every 5xx. */
function isTransientStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * A thin client over the official SDK: Temporal owns retries (the SDK's are off), cancellation aborts the
 * request, the activity heartbeats while it waits, and every failure becomes a retryable or non-retryable
 * activity failure with a message that never contains the key.
 */
export class ChatClient {
  private readonly client: OpenAI;

  constructor(private readonly settings: ChatSettings) {
    this.client = new OpenAI({
      // Local servers (Ollama, vLLM, llama.cpp) take any key; the SDK insists on one.
      apiKey: settings.apiKey ?? 'unused',
      ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}),
      timeout: settings.timeoutMs,
      maxRetries: 0,
    });
  }

  /** Whether the endpoint is OpenAI's own (which refuses some JSON Schema keywords in strict mode). */
  get isOpenAiItself(): boolean {
    return this.settings.baseUrl === undefined;
  }

  /** The reply limit of a request that asks for `requested` tokens (or nothing): never above `OPENAI_MAX_TOKENS`. */
  replyLimit(requested?: number): number {
    return requested === undefined ? this.settings.maxTokens : Math.min(requested, this.settings.maxTokens);
  }

  /**
   * One request of a multi-turn conversation: messages, optional native tools and an optional JSON reply format.
   * The reply limit is `request.maxTokens`, capped by `OPENAI_MAX_TOKENS`.
   * A cut-off or empty reply is returned as it is (see `finishReason`); only transport and HTTP failures throw:
   * network errors, timeouts, 408/409/429/5xx are retryable, other 4xx and a reply without a choice are not.
   */
  async converse(request: ConversationRequest, scope: ActivityScope): Promise<ConversationReply> {
    const { settings } = this;
    const responseFormat = this.responseFormatOf(request.json);
    const maxTokens = this.replyLimit(request.maxTokens);
    const tools = request.tools && request.tools.length > 0 ? request.tools : undefined;
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await withHeartbeats(
        scope,
        this.client.chat.completions.create(
          {
            model: settings.model,
            messages: request.messages.map(toSdkMessage),
            ...(tools
              ? {
                  tools: tools.map((tool) => ({ type: 'function' as const, function: { name: tool.name, description: tool.description, parameters: tool.parameters } })),
                  tool_choice: request.toolChoice ?? 'auto',
                }
              : {}),
            ...(responseFormat ? { response_format: responseFormat } : {}),
            max_tokens: maxTokens,
          },
          { signal: scope.signal },
        ),
      );
    } catch (err) {
      throw this.failureOf(err, scope);
    }
    const choice = completion.choices?.[0];
    if (!choice?.message) throw nonRetryable(AgentFailureType.INVALID_MODEL_OUTPUT, `${settings.model} returned no choice`);
    const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).flatMap((call) =>
      call.type === 'function' ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }] : [],
    );
    const content = typeof choice.message.content === 'string' && choice.message.content !== '' ? choice.message.content : null;
    const counted = completion.usage;
    const usage: TokenUsage = {
      promptTokens: counted?.prompt_tokens ?? 0,
      completionTokens: counted?.completion_tokens ?? 0,
      totalTokens: counted?.total_tokens ?? (counted?.prompt_tokens ?? 0) + (counted?.completion_tokens ?? 0),
      requests: 1,
      model: completion.model || settings.model,
    };
    // Counted for the attempt too: should it fail after this reply, the attempt that succeeds still counts it.
    recordSpent(usage);
    return { content, finishReason: choice.finish_reason ?? 'stop', toolCalls, usage };
  }

  private responseFormatOf(json: JsonReplyFormat | undefined): OpenAI.Chat.Completions.ChatCompletionCreateParams['response_format'] {
    if (!json || this.settings.responseFormat === 'none') return undefined;
    if (this.settings.responseFormat === 'json_object') return { type: 'json_object' };
    return { type: 'json_schema', json_schema: { name: json.name, schema: json.schema, strict: true } };
  }

  private failureOf(err: unknown, scope: ActivityScope): unknown {
    if (err instanceof APIUserAbortError && scope.signal.aborted) return scope.signal.reason ?? err;
    const where = this.settings.baseUrl ?? 'the OpenAI API';
    if (err instanceof APIError && typeof err.status === 'number') {
      const detail = `${where} answered ${err.status}: ${firstLine(err.message)}`;
      if (!isTransientStatus(err.status)) return nonRetryable(AgentFailureType.PROVIDER_REJECTED, detail, err);
      const type = err.status === 429 ? AgentFailureType.PROVIDER_RATE_LIMITED : AgentFailureType.PROVIDER_UNAVAILABLE;
      return retryable(type, detail, retryAfterMs(err.headers as Headers | undefined), err);
    }
    if (err instanceof APIConnectionError) {
      return retryable(AgentFailureType.PROVIDER_UNAVAILABLE, `cannot reach ${where}: ${firstLine(err.message)}`, undefined, err);
    }
    return err;
  }
}

function toSdkMessage(message: ChatMessage): SdkMessage {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? { tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })) }
          : {}),
      };
  }
}

/** The server's Retry-After, in milliseconds, when it sent a usable one (capped at 5 minutes, the longest wait between attempts). */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 300_000) : undefined;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
