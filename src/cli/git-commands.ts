/** The commands over a session's git history: `diff` and `export`. */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandContext } from './commands';
import { CliError, ExitCode, type ExitCodeValue } from './exit-codes';

const sessionPath = (id: string, rest: string): string => `/sessions/${encodeURIComponent(id)}${rest}`;

/** Print the diff between two refs of the session's history (`to` alone: what that commit changed). */
export async function diff(ctx: CommandContext, id: string, options: { from?: string; to?: string }): Promise<ExitCodeValue> {
  const text = await ctx.out.while('reading the diff', () => ctx.client.text('GET', sessionPath(id, '/diff'), { query: { from: options.from, to: options.to } }));
  if (ctx.json) ctx.out.line(JSON.stringify({ session_id: id, from: options.from ?? null, to: options.to ?? null, diff: text }, null, 2));
  else ctx.out.raw(text);
  return ExitCode.OK;
}

/** Write the session's whole history as a git bundle to `output` (atomically: a temp file, then renamed). */
export async function exportBundle(ctx: CommandContext, id: string, output: string): Promise<ExitCodeValue> {
  const bundle = await ctx.out.while('downloading the history', () => ctx.client.bytes('GET', sessionPath(id, '/bundle')));
  const target = path.resolve(output);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bundle, { flag: 'wx' });
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw new CliError(ExitCode.BAD_INPUT, 'cannot_write', `Cannot write ${target}: ${(err as Error).message}`);
  }
  if (ctx.json) ctx.out.line(JSON.stringify({ session_id: id, path: target, bytes: bundle.length }, null, 2));
  else ctx.out.line(`Wrote ${id}'s history (${bundle.length} bytes) to ${target}; restore it with: git clone ${output}`);
  return ExitCode.OK;
}
