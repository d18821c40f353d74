import type { FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 64 * 1024;

/** The last `lines` lines of an open text file, read backwards in chunks; closes the handle. */
export async function tailLines(handle: FileHandle, lines: number): Promise<string> {
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
    const text = Buffer.concat(chunks).toString('utf8');
    const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    const kept = all.slice(-lines);
    return kept.length === 0 || (kept.length === 1 && kept[0] === '') ? '' : `${kept.join('\n')}\n`;
  } finally {
    await handle.close();
  }
}
