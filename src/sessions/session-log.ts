import type { FileHandle } from 'node:fs/promises';
import { openSessionFile } from './session-files';

const CHUNK_BYTES = 64 * 1024;

/** The end of a log: its last lines, and the byte offset right after the last whole line among them. */
export interface LogTail {
  text: string;
  /** Where lines written after this tail start (a partial last line is in `text` and comes again once whole). */
  end: number;
}

/** The last `lines` lines of an open text file, read backwards in chunks; closes the handle. */
export async function tailLines(handle: FileHandle, lines: number): Promise<LogTail> {
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    while (position > 0 && newlines <= lines) {
      const length = Math.min(CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 0x0a) newlines += 1;
    }
    const read = Buffer.concat(chunks);
    const end = position + read.lastIndexOf(0x0a) + 1;
    const text = read.toString('utf8');
    const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    const kept = all.slice(-lines);
    return { text: kept.length === 0 || (kept.length === 1 && kept[0] === '') ? '' : `${kept.join('\n')}\n`, end };
  } finally {
    await handle.close();
  }
}

/** Whole lines of a file from a byte offset, and the bytes each took (newline included). */
export interface LogChunk {
  lines: string[];
  bytes: number[];
}

/**
 * Whole lines of a session's file from `offset`, at most about `maxBytes`; a partial last line waits for its
 * newline. Nothing is followed out of the work directory (see openSessionFile).
 */
export async function readLogLines(workDir: string, relativePath: string, offset: number, maxBytes = 256 * 1024): Promise<LogChunk> {
  const handle = await openSessionFile(workDir, relativePath);
  if (!handle) return { lines: [], bytes: [] };
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { lines: [], bytes: [] };
    const length = Math.min(maxBytes, size - offset);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    const lines: string[] = [];
    const bytes: number[] = [];
    let start = 0;
    for (let i = 0; i < bytesRead; i += 1) {
      if (buffer[i] !== 0x0a) continue;
      lines.push(buffer.subarray(start, i).toString('utf8'));
      bytes.push(i + 1 - start);
      start = i + 1;
    }
    if (lines.length === 0 && bytesRead === maxBytes) {
      // One line longer than the window: deliver it cut, so the stream never stalls on it.
      lines.push(buffer.subarray(0, bytesRead).toString('utf8'));
      bytes.push(bytesRead);
    }
    return { lines, bytes };
  } finally {
    await handle.close();
  }
}
