import type { TokenUsage } from '../../workflows/definitions';
import type { ActivityScope } from '../activity-scope';
import type { EngineerToolName } from './contract';
import type { ToolCall } from '../providers/openai/chat-types';
import type { OpeningRecord, TranscriptMessage } from './transcript';

/** One request for the next action. */
export interface TurnRequest {
  /** The conversation, already cut to the context budget. */
  messages: TranscriptMessage[];
  /** The tools offered this turn. */
  tools: readonly EngineerToolName[];
  format: 'json' | 'tools';
  /** The opening record (the brief, whether there is a bug report), for scripted models. */
  opening: OpeningRecord;
  /** How many model turns came before this one. */
  previousTurns: number;
}

/** A reply: text (a JSON action) or native tool calls, and what it cost. */
export interface TurnReply {
  content: string | null;
  toolCalls: ToolCall[];
  /** `length` means the reply was cut at the token limit. */
  finishReason: string | null;
  usage?: TokenUsage;
}

/** What chooses the Engineer's next action: a chat model, or the template's script. */
export interface TurnModel {
  readonly name: string;
  next(request: TurnRequest, scope: ActivityScope): Promise<TurnReply>;
}
