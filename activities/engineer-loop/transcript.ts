import { createHash } from 'node:crypto';
import type { ArtifactRef, TokenUsage } from '../../workflows/definitions';
import type { ProjectLanguage } from '../project/test-commands';
import type { ChatMessage, ToolCall } from '../providers/openai/chat-types';
import type { AgentBrief } from '../providers/types';
import type { SessionWorkspace } from '../workspace';
import type { EngineerAction } from './actions';
import type { TranscriptRef } from './contract';

/** Where the loop's transcript files live, relative to the work directory. */
export const TRANSCRIPT_DIR = 'logs/agent';

/** A message of the conversation with the model (the chat client's own shape). */
export type TranscriptMessage = ChatMessage;

/** The first file: the prompt, and what the later steps need to know about the loop. */
export interface OpeningRecord {
  kind: 'opening';
  previous: null;
  turn: 0;
  messages: TranscriptMessage[];
  brief: AgentBrief;
  provider: string;
  format: 'json' | 'tools';
  bugReport: boolean;
  /** The project's test command and language; absent in transcripts begun before projects named them (Node). */
  project?: { testCommand: string; language: ProjectLanguage };
}

/** One model turn: what it was asked to choose from, the replies it gave, and the action it chose (or why none). */
export interface ModelRecord {
  kind: 'model';
  previous: TranscriptRef;
  turn: number;
  messages: TranscriptMessage[];
  withholdDone: boolean;
  /** Raw replies: the first, and the repair's when there was one. */
  replies: { content: string | null; toolCalls: ToolCall[]; finishReason: string | null }[];
  action: EngineerAction | null;
  /** Why the turn failed, quoted back to the model by the tool step. */
  error: string | null;
  usage: TokenUsage | null;
}

/** One tool step: the result given back to the model, and what it did to the work directory. */
export interface ToolRecord {
  kind: 'tool';
  previous: TranscriptRef;
  turn: number;
  messages: TranscriptMessage[];
  summary: string;
  done: boolean;
  artifacts: ArtifactRef[];
}

export type TranscriptRecord = OpeningRecord | ModelRecord | ToolRecord;

/** A transcript file could not be used: missing, changed since it was referenced, or not ours. */
export class TranscriptError extends Error {
  override readonly name = 'TranscriptError';
}

/** The path of one step's file: `logs/agent/iter-1/turn-0004-model.json` (`edit`: a replace_span's record). */
export function transcriptPath(iteration: number, turn: number, kind: TranscriptRecord['kind'] | 'edit'): string {
  const name = kind === 'opening' ? 'turn-0000' : `turn-${String(turn).padStart(4, '0')}-${kind}`;
  return `${TRANSCRIPT_DIR}/iter-${iteration}/${name}.json`;
}

/** Write a record (atomically) and return its reference. */
export async function writeRecord(workspace: SessionWorkspace, relativePath: string, record: TranscriptRecord): Promise<TranscriptRef> {
  const ref = await workspace.writeArtifact('code', relativePath, `${JSON.stringify(record)}\n`);
  return { path: ref.path, sha256: ref.sha256, bytes: ref.bytes };
}

/** Read a record by reference, refusing one whose content no longer hashes to the reference. */
export async function readRecord<K extends TranscriptRecord['kind']>(
  workspace: SessionWorkspace,
  ref: TranscriptRef,
  kind?: K,
): Promise<Extract<TranscriptRecord, { kind: K }>> {
  if (!ref.path.startsWith(`${TRANSCRIPT_DIR}/`)) throw new TranscriptError(`${ref.path} is not a transcript file`);
  const text = await workspace.readText(ref.path, 16 * 1024 * 1024);
  if (text === null) throw new TranscriptError(`transcript file ${ref.path} is missing`);
  const sha = createHash('sha256').update(text).digest('hex');
  if (sha !== ref.sha256) throw new TranscriptError(`transcript file ${ref.path} changed since it was recorded (sha256 ${sha.slice(0, 12)}, expected ${ref.sha256.slice(0, 12)})`);
  const record = JSON.parse(text) as TranscriptRecord;
  if (kind && record.kind !== kind) throw new TranscriptError(`${ref.path} is a ${record.kind} record, not a ${kind} record`);
  return record as Extract<TranscriptRecord, { kind: K }>;
}

/** An existing record at `relativePath` whose predecessor is `previous`: a retried step's own earlier result. */
export async function recordedStep<K extends 'model' | 'tool'>(
  workspace: SessionWorkspace,
  relativePath: string,
  previous: TranscriptRef,
  kind: K,
): Promise<{ ref: TranscriptRef; record: Extract<TranscriptRecord, { kind: K }> } | null> {
  const text = await workspace.readText(relativePath, 16 * 1024 * 1024).catch(() => null);
  if (text === null) return null;
  let record: TranscriptRecord;
  try {
    record = JSON.parse(text) as TranscriptRecord;
  } catch {
    return null;
  }
  if (record.kind !== kind || record.previous?.sha256 !== previous.sha256 || record.previous.path !== previous.path) return null;
  const ref = { path: relativePath, sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
  return { ref, record: record as Extract<TranscriptRecord, { kind: K }> };
}

/** The whole chain from the opening record to `ref`, oldest first, every link checked against its hash. */
export async function readChain(workspace: SessionWorkspace, ref: TranscriptRef): Promise<TranscriptRecord[]> {
  const chain: TranscriptRecord[] = [];
  let next: TranscriptRef | null = ref;
  while (next) {
    if (chain.length > 10_000) throw new TranscriptError('transcript chain does not end');
    const record: TranscriptRecord = await readRecord(workspace, next);
    chain.unshift(record);
    next = record.previous;
  }
  if (chain[0]?.kind !== 'opening') throw new TranscriptError(`transcript ${ref.path} does not start with an opening record`);
  return chain;
}
