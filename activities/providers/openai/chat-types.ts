import type { TokenUsage } from '../../../workflows/definitions';

/** A native tool call the model asked for. */
export interface ToolCall {
  /** The server's id of the call; a `tool` message answering it quotes it. */
  id: string;
  name: string;
  /** The arguments exactly as the model wrote them (JSON text, not yet parsed or validated). */
  arguments: string;
}

/** One message of a conversation, in the chat-completions roles. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: readonly ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A function the model may call natively (`tools` of chat-completions). */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

/** Ask for JSON matching `schema` (`response_format`; how strictly depends on `OPENAI_RESPONSE_FORMAT`). */
export interface JsonReplyFormat {
  name: string;
  schema: Record<string, unknown>;
}

/** One chat-completions request of a conversation. */
export interface ConversationRequest {
  messages: readonly ChatMessage[];
  /** Functions offered for native tool calls; the server needs a chat template with tool support. */
  tools?: readonly ToolSpec[];
  /** @default 'auto' when `tools` are given */
  toolChoice?: 'auto' | 'required' | 'none';
  json?: JsonReplyFormat;
  /**
   * The reply limit of this request, in tokens; never above `OPENAI_MAX_TOKENS`.
   * @default `OPENAI_MAX_TOKENS`
   */
  maxTokens?: number;
}

/** Why the model stopped: `stop`, `length` (cut off at the token limit), `tool_calls`, `content_filter`, or a server's own value. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | (string & {});

/** What a conversation request returned; the caller decides what a cut-off or empty reply means. */
export interface ConversationReply {
  /** The message text; null when the model only called tools (or wrote nothing). */
  content: string | null;
  finishReason: FinishReason;
  toolCalls: ToolCall[];
  /** This request's tokens (`requests` is 1). */
  usage: TokenUsage;
}
