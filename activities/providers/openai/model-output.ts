import { z } from 'zod';
import { ARTIFACT_PATHS } from '../../../workflows/definitions';
import { AgentFailureType, nonRetryable } from '../../failures';
import { asTestCommand, type TestCommand, TEST_COMMANDS } from '../../project/test-commands';
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

/** List entries: blank ones are dropped, a list left empty gets a placeholder (the model's judgement is not ours to check). */
const lines = (max: number) =>
  z
    .array(z.string().max(2_000))
    .max(max)
    .transform((entries) => {
      const kept = entries.map((entry) => entry.trim()).filter(Boolean);
      return kept.length > 0 ? kept : ['(none given)'];
    });
const section = z
  .string()
  .max(50_000)
  .transform((text) => text.trim() || '(none given)');
/** Files by path, the last of a repeated path winning (a small model repeats itself; that is not unsafe). */
function lastOfEachPath<T extends { path: string }>(files: T[]): T[] {
  return [...new Map(files.map((file) => [file.path, file])).values()];
}

const prdReply = z
  .object({
    title: z
      .string()
      .max(300)
      .transform((title) => title.trim() || 'Untitled'),
    goals: lines(20),
    requirements: lines(50),
    acceptance_criteria: lines(30),
    feedback_response: z.string().max(20_000),
  })
  .strict();

/** A test command from the allowlist (spaces aside); anything else is invalid model output, repaired like any other. */
const testCommand = z
  .string()
  .max(200)
  .transform((value, ctx): TestCommand => {
    const command = asTestCommand(value);
    if (command) return command;
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not an allowed test command; use one of ${TEST_COMMANDS.map((c) => JSON.stringify(c)).join(', ')}` });
    return z.NEVER;
  });

const designReply = z
  .object({
    test_command: testCommand,
    overview: section,
    interfaces: section,
    test_plan: section,
    files: z
      .array(z.object({ path: projectPath, purpose: z.string().max(1_000), content: z.string().max(CODE_LIMITS.fileChars) }).strict())
      .min(1)
      .max(CODE_LIMITS.files)
      .transform(lastOfEachPath),
    feedback_response: z.string().max(20_000),
  })
  .strict();

const codeReply = z
  .object({
    files: z
      .array(z.object({ path: projectPath, content: z.string().max(CODE_LIMITS.fileChars) }).strict())
      .min(1)
      .max(CODE_LIMITS.files)
      .transform(lastOfEachPath),
    notes: z.string().max(10_000).default(''),
  })
  .strict()
  .refine((reply) => reply.files.reduce((sum, file) => sum + file.content.length, 0) <= CODE_LIMITS.totalChars, {
    message: `files must total at most ${CODE_LIMITS.totalChars} characters`,
  });

const qaNotesReply = z.object({ notes: lines(20) }).strict();

export type PrdReply = z.output<typeof prdReply>;
export type DesignReply = z.output<typeof designReply>;

/** The PM's PRD fields, validated; otherwise a non-retryable InvalidModelOutput naming what is wrong. */
export function parsePrdReply(content: string): PrdReply {
  return validated(prdReply, content, 'PM');
}

/** The architect's specification sections and scaffold files, validated. */
export function parseDesignReply(content: string): DesignReply {
  return validated(designReply, content, 'architect');
}

/** The engineer's files, validated before anything is written. */
export function parseCodeReply(content: string): { files: GeneratedFile[]; notes: string } {
  return validated(codeReply, content, 'engineer');
}

/** QA's notes on a failed run, validated. */
export function parseQaNotesReply(content: string): string[] {
  return validated(qaNotesReply, content, 'QA').notes;
}

function validated<T>(schema: z.ZodType<T, unknown>, content: string, role: string): T {
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

/** Models often wrap JSON in a Markdown fence even when asked not to: the JSON inside it (or the trimmed reply). */
export function stripFence(content: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n```\s*$/.exec(content);
  return fenced ? fenced[1]! : content.trim();
}
