import { createHash } from 'node:crypto';
import type { ArtifactRef } from '../../workflows/definitions';
import type { AgentDeps } from '../agents/agent-deps';
import type { StepContext } from '../agents/step-context';
import { runInWorkspace } from '../agents/workspace-run';
import { missingRunner, missingRunnerIn } from '../project/missing-runner';
import { readProjectTests } from '../project/project-tests';
import { judgeTestRun } from '../qa/bug-report';
import { parseTestCounts } from '../qa/test-counts';
import type { ChildResult } from '../runner/run-child';
import { PathEscapeError } from '../workspace';
import type { EngineerAction } from './actions';

/** At most this much of a file goes back to the model, in characters (the start; the rest with a note). */
export const READ_RESULT_CHARS = 8_000;
/** At most this much of a command's output goes back to the model (the end, where failures are summed up). */
export const RUN_RESULT_CHARS = 3_000;
const LISTED_FILES = 300;
const UNLISTED = ['.git', 'node_modules', 'logs', 'docs/history'];

/** What a tool did: the text the model gets back and the one line for the log. */
export interface ToolOutcome {
  /** Given back to the model. */
  text: string;
  /** For the session log, without `turn N:`: `run npm test → exit 1, 2 failed`. */
  summary: string;
  done: boolean;
  artifacts: ArtifactRef[];
}

/** Where a tool runs. */
export interface ToolSetting {
  ctx: StepContext;
  deps: AgentDeps;
  /** Set when the project holds model-written code: names it for the stricter sandbox's refusal. */
  untrusted: string | null;
  /** A file of this turn recording an edit before it is made, so a retried edit is recognised as applied. */
  editRecordPath: string;
}

/** Carry out one action inside the work directory. Problems the model caused become results it reads, not failures. */
export async function runTool(action: EngineerAction, setting: ToolSetting): Promise<ToolOutcome> {
  try {
    return await carryOut(action, setting);
  } catch (err) {
    if (!(err instanceof PathEscapeError)) throw err;
    return result(`refused: ${err.message}`, `${action.tool} refused: path leaves the work directory`);
  }
}

async function carryOut(action: EngineerAction, setting: ToolSetting): Promise<ToolOutcome> {
  const { workspace } = setting.ctx;
  switch (action.tool) {
    case 'list_files': {
      const files = await workspace.listFiles(UNLISTED, LISTED_FILES);
      return result(files.length > 0 ? files.join('\n') : '(no files)', `list files → ${files.length} file(s)`);
    }
    case 'read_file': {
      let content: string | null;
      try {
        content = await workspace.readText(action.path, 4 * 1024 * 1024);
      } catch (err) {
        if (err instanceof PathEscapeError) throw err;
        return result(`error: ${(err as Error).message}`, `read ${action.path} → unreadable`);
      }
      if (content === null) return result(`error: ${action.path} does not exist`, `read ${action.path} → not found`);
      if (content.includes('\0')) return result(`error: ${action.path} is a binary file`, `read ${action.path} → binary`);
      const cut = content.length > READ_RESULT_CHARS ? `${content.slice(0, READ_RESULT_CHARS)}\n[cut: ${content.length} characters in all]` : content;
      return result(cut, `read ${action.path} → ${Buffer.byteLength(content)} bytes`);
    }
    case 'write_file': {
      const current = await workspace.describeFile('code', action.path);
      if (current && current.sha256 === sha256(action.content)) {
        return result(`${action.path} already has this content`, `write ${action.path} → unchanged (${current.bytes} bytes)`, [current]);
      }
      const ref = await workspace.writeFile(action.path, action.content);
      return result(`wrote ${action.path} (${ref.bytes} bytes)`, `write ${action.path} → ${ref.bytes} bytes, sha256 ${ref.sha256.slice(0, 12)}`, [ref]);
    }
    case 'replace_span':
      return replaceSpan(action, setting);
    case 'run_command': {
      const run = await runInWorkspace(setting.ctx, setting.deps, ['bash', '-c', action.command], setting.untrusted);
      return result(runText(run), `run ${oneLine(action.command, 80)} → ${exitOf(run)}`);
    }
    case 'run_tests': {
      const { command, argv } = await readProjectTests(workspace, setting.deps.config);
      const absent = await missingRunner(argv, workspace.root);
      if (absent) return runnerMissing(command, absent);
      const run = await runInWorkspace(setting.ctx, setting.deps, argv, setting.untrusted);
      const unstarted = missingRunnerIn(argv, run);
      if (unstarted) return runnerMissing(command, unstarted);
      const verdict = judgeTestRun(run, parseTestCounts(run.output));
      const counts = verdict.counts ? `, ${verdict.counts.passed} passed, ${verdict.counts.failed} failed` : '';
      return result(`${verdict.passed ? 'PASS' : 'FAIL'}: ${verdict.summary}\n${runText(run)}`, `run ${command} → ${exitOf(run)}${counts}`);
    }
    case 'done':
      return { text: 'done', summary: `done: ${oneLine(action.summary, 120)}`, done: true, artifacts: [] };
  }
}

/** An edit: the old text must occur exactly once. The edit is recorded first, so a retry finds it applied. */
async function replaceSpan(action: Extract<EngineerAction, { tool: 'replace_span' }>, setting: ToolSetting): Promise<ToolOutcome> {
  const { workspace } = setting.ctx;
  const label = `edit ${action.path}`;
  const current = await workspace.readText(action.path, 4 * 1024 * 1024);
  if (current === null) return result(`error: ${action.path} does not exist; create it with write_file`, `${label} → not found`);
  const recorded = await workspace.readText(setting.editRecordPath).catch(() => null);
  if (recorded !== null) {
    const edit = JSON.parse(recorded) as { path: string; after: string };
    if (edit.path === action.path && edit.after === sha256(current)) {
      const ref = (await workspace.describeFile('code', action.path))!;
      return result(`replaced the text in ${action.path}`, `${label} → applied (${ref.bytes} bytes)`, [ref]);
    }
  }
  const occurrences = current.split(action.old_text).length - 1;
  if (occurrences !== 1) {
    const why = occurrences === 0 ? 'old_text does not occur in the file' : `old_text occurs ${occurrences} times; give more context so it occurs once`;
    return result(`error: ${why}`, `${label} → ${occurrences === 0 ? 'no match' : `${occurrences} matches`}, not changed`);
  }
  const next = current.replace(action.old_text, () => action.new_text);
  await workspace.writeArtifact('code', setting.editRecordPath, JSON.stringify({ path: action.path, before: sha256(current), after: sha256(next) }));
  const ref = await workspace.writeFile(action.path, next);
  return result(`replaced the text in ${action.path}`, `${label} → ${ref.bytes} bytes, sha256 ${ref.sha256.slice(0, 12)}`, [ref]);
}

/** The tests cannot run here: the model is told it cannot fix that (QA reports it and waits for an operator). */
function runnerMissing(command: string, reason: string): ToolOutcome {
  return result(`FAIL: ${reason}, so \`${command}\` cannot run; you cannot fix this (an operator must install it): finish the code and say done`, `run ${command} → runner not installed`);
}

function result(text: string, summary: string, artifacts: ArtifactRef[] = []): ToolOutcome {
  return { text, summary, done: false, artifacts };
}

function exitOf(run: ChildResult): string {
  if (run.timedOut) return `timed out after ${(run.durationMs / 1000).toFixed(1)} s`;
  return run.exitCode !== null ? `exit ${run.exitCode}` : `signal ${run.signal}`;
}

/** A run for the model: how it ended and the end of its output. */
function runText(run: ChildResult): string {
  const output = run.output.length > RUN_RESULT_CHARS ? `[... earlier output cut ...]\n${run.output.slice(-RUN_RESULT_CHARS)}` : run.output;
  return `${exitOf(run)} in ${(run.durationMs / 1000).toFixed(1)} s\n${output}`;
}

function oneLine(value: string, max: number): string {
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
