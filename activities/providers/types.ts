import type { FeedbackEntry, TokenUsage } from '../../workflows/definitions';
import type { ActivityScope } from '../activity-scope';
import type { PhaseLog } from '../phase-log';
import type { ProjectTests } from '../project/project-tests';
import type { SessionWorkspace } from '../workspace';

/** How an agent thinks: `template` (offline, deterministic), `openai` (a chat model), `command` (an external CLI). */
export type ProviderName = 'template' | 'openai' | 'command';

/** What every agent is told about the session. */
export interface AgentBrief {
  sessionId: string;
  mission: string;
  projectName: string | null;
  iteration: number;
  /** All reviewer feedback so far, oldest first. */
  feedback: readonly FeedbackEntry[];
}

/** Where a provider call runs: the session's files, its log, and the activity (cancellation, heartbeats). */
export interface ProviderCall {
  workspace: SessionWorkspace;
  log: PhaseLog;
  scope: ActivityScope;
}

export interface PrdRequest extends AgentBrief {
  /** The current PRD when this is a revision. */
  previousPrd: string | null;
}

export interface DesignRequest extends AgentBrief {
  prd: string;
  previousSpec: string | null;
}

export interface CodeRequest extends AgentBrief {
  prd: string;
  techSpec: string;
  /** QA's last report when QA sent the session back. */
  bugReport: string | null;
  /** Work-directory-relative paths of the inputs, for providers that hand paths to a tool. */
  paths: { prd: string; techSpec: string; feedback: string; bugReport: string | null };
  /** What the project's tests run with (the spec's command, or the operator's), and its language. */
  tests: ProjectTests;
}

export interface TestReviewRequest extends AgentBrief {
  /** The bug report as QA wrote it (result, counts, trimmed output). */
  report: string;
}

/** A provider's answer and, for model providers, what it cost. */
export interface Drafted<T> {
  value: T;
  usage?: TokenUsage;
}

/** A file the engineer wants written, relative to the work directory. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** What an engineer produced: files for the activity to validate and write, or files it already changed itself. */
export type CodeResult =
  | { kind: 'files'; files: GeneratedFile[]; notes: string }
  | { kind: 'applied'; changed: string[]; notes: string };

/** The one interface all four agents use; each phase calls its own method. */
export interface AgentProvider {
  readonly name: ProviderName;
  /** PM: the PRD, in Markdown. */
  writePrd(request: PrdRequest, call: ProviderCall): Promise<Drafted<string>>;
  /** Architect: the technical specification (Markdown) and `scaffold.sh`. */
  writeDesign(request: DesignRequest, call: ProviderCall): Promise<Drafted<{ techSpec: string; scaffold: string }>>;
  /** Engineer: the implementation. */
  writeCode(request: CodeRequest, call: ProviderCall): Promise<Drafted<CodeResult>>;
  /** QA: notes on a failed test run for the bug report, or null for none. */
  reviewTestRun(request: TestReviewRequest, call: ProviderCall): Promise<Drafted<string | null>>;
}
