import { z } from 'zod';
import { ARTIFACT_PATHS } from '../../../workflows/definitions';
import { AgentFailureType, nonRetryable } from '../../failures';
import type { GeneratedFile } from '../types';

/** Limits on what the engineer may write in one reply. */
export const CODE_LIMITS = { files: 50, fileChars: 200_000, totalChars: 1_000_000 } as const;

/** Top-level entries a model may never write: our documents, the log, the scaffold, VCS and dependencies. */
const RESERVED = /^(docs|logs|\.git|node_modules)(\/|$)|^scaffold\.sh$/;
/** One path segment: no `.`/`..`, no control characters, no backslashes. */
// eslint-disable-next-line no-control-regex
const SEGMENT = /^(?!\.{1,2}$)[^/\\\u0000-\u001f\u007f]{1,255}$/;

/** A path the engineer may write: relative, clean segments, not reserved. */
export const projectPath = z
  .string()
  .min(1)
  .max(300)
  .refine((value) => value.split('/').every((segment) => SEGMENT.test(segment)), 'must be a relative path of plain segments (no "..", no absolute path)')
  .refine((value) => !RESERVED.test(value), `must not be under docs/, logs/, .git/ or node_modules/, nor ${ARTIFACT_PATHS.scaffold}`);

const codeReply = z
  .object({
    files: z
      .array(z.object({ path: projectPath, content: z.string().max(CODE_LIMITS.fileChars) }).strict())
      .min(1)
      .max(CODE_LIMITS.files),
    notes: z.string().max(10_000).default(''),
  })
  .strict()
  .refine((reply) => reply.files.reduce((sum, file) => sum + file.content.length, 0) <= CODE_LIMITS.totalChars, {
    message: `files must total at most ${CODE_LIMITS.totalChars} characters`,
  })
  .refine((reply) => new Set(reply.files.map((file) => file.path)).size === reply.files.length, { message: 'a path appears twice' });

const designReply = z
  .object({
    tech_spec: z.string().min(1).max(200_000),
    scaffold_sh: z.string().min(1).max(100_000),
  })
  .strict();

/** JSON Schemas sent as `response_format` (strict-mode compatible: every property required, nothing extra). */
export const CODE_SCHEMA = {
  type: 'object',
  properties: {
    files: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, content: { type: 'string' } },
        required: ['path', 'content'],
        additionalProperties: false,
      },
    },
    notes: { type: 'string' },
  },
  required: ['files', 'notes'],
  additionalProperties: false,
} as const;

export const DESIGN_SCHEMA = {
  type: 'object',
  properties: { tech_spec: { type: 'string' }, scaffold_sh: { type: 'string' } },
  required: ['tech_spec', 'scaffold_sh'],
  additionalProperties: false,
} as const;

/** The engineer's files from a reply, validated before anything is written; otherwise a non-retryable failure. */
export function parseCodeReply(content: string): { files: GeneratedFile[]; notes: string } {
  return validated(codeReply, content, 'engineer');
}

/** The architect's spec and scaffold from a reply, validated. */
export function parseDesignReply(content: string): { techSpec: string; scaffold: string } {
  const reply = validated(designReply, content, 'architect');
  const scaffold = reply.scaffold_sh.startsWith('#!') ? reply.scaffold_sh : `#!/usr/bin/env bash\n${reply.scaffold_sh}`;
  return { techSpec: reply.tech_spec, scaffold: scaffold.endsWith('\n') ? scaffold : `${scaffold}\n` };
}

function validated<T>(schema: z.ZodType<T>, content: string, role: string): T {
  let json: unknown;
  try {
    json = JSON.parse(stripFence(content));
  } catch (err) {
    throw nonRetryable(AgentFailureType.INVALID_MODEL_OUTPUT, `the ${role}'s reply is not JSON: ${(err as Error).message}; it began ${JSON.stringify(content.slice(0, 120))}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(reply)'}: ${issue.message}`);
    throw nonRetryable(AgentFailureType.INVALID_MODEL_OUTPUT, `the ${role}'s reply does not match the expected shape: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Models often wrap JSON in a Markdown fence even when asked not to. */
function stripFence(content: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n```\s*$/.exec(content);
  return fenced ? fenced[1]! : content.trim();
}
