import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { TokenUsage } from '../../../workflows/definitions';
import { type ActivityScope, withHeartbeats } from '../../activity-scope';
import { AgentFailureType, nonRetryable, retryable } from '../../failures';

/** Settings of an OpenAI-compatible endpoint. */
export interface ChatSettings {
  /** Unset means OpenAI's own endpoint. */
  baseUrl?: string;
  apiKey?: string;
  model: string;
  responseFormat: 'json_schema' | 'json_object' | 'none';
  timeoutMs: number;
  maxTokens?: number;
}

/** One chat-completions request. */
export interface ChatRequest {
  system: string;
  user: string;
  /** Ask for JSON matching this schema (how strictly depends on `responseFormat`). */
  json?: { name: string; schema: Record<string, unknown> };
}

/** A reply and what it cost. */
export interface ChatReply {
  content: string;
  usage: TokenUsage;
}

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

  get model(): string {
    return this.settings.model;
  }

  async complete(request: ChatRequest, scope: ActivityScope): Promise<ChatReply> {
    const { settings } = this;
    const wantsJson = request.json !== undefined && settings.responseFormat !== 'none';
    const responseFormat = !wantsJson
      ? undefined
      : settings.responseFormat === 'json_schema'
        ? { type: 'json_schema' as const, json_schema: { name: request.json!.name, schema: request.json!.schema, strict: true } }
        : { type: 'json_object' as const };
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await withHeartbeats(
        scope,
        this.client.chat.completions.create(
          {
            model: settings.model,
            messages: [
              { role: 'system', content: request.system },
              { role: 'user', content: request.user },
            ],
            ...(responseFormat ? { response_format: responseFormat } : {}),
            ...(settings.maxTokens ? { max_tokens: settings.maxTokens } : {}),
          },
          { signal: scope.signal },
        ),
      );
    } catch (err) {
      throw this.failureOf(err, scope);
    }
    const choice = completion.choices?.[0];
    const content = choice?.message?.content;
    if (typeof content !== 'string' || content.trim() === '') {
      throw nonRetryable(AgentFailureType.INVALID_MODEL_OUTPUT, `${settings.model} returned no message content`);
    }
    if (choice?.finish_reason === 'length') {
      throw nonRetryable(AgentFailureType.INVALID_MODEL_OUTPUT, `${settings.model} stopped at its token limit; the reply is incomplete (raise OPENAI_MAX_TOKENS)`);
    }
    const usage = completion.usage;
    return {
      content,
      usage: {
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? 0,
        totalTokens: usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0),
        requests: 1,
        model: completion.model || settings.model,
      },
    };
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

/** The server's Retry-After, in milliseconds, when it sent a usable one (capped at 10 minutes). */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 600_000) : undefined;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
