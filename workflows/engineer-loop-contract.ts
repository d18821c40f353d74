/**
 * The contract of the Engineer's durable loop: what its step activities take and return. Types only, so the
 * workflow imports them (`import type`) without pulling any activity code into its sandbox. Every value here is
 * small: prompts, model replies and file contents stay in the work directory and travel as references.
 */
import type { AgentInput, ArtifactRef, PhaseResult, TokenUsage } from './definitions';

/** A file of the loop's transcript under `logs/agent/`, by path and hash (the claim check). */
export interface TranscriptRef {
  /** Relative to the session's work directory. */
  path: string;
  sha256: string;
  bytes: number;
}

/** The tools the Engineer's model may ask for, one per turn. */
export type EngineerToolName = 'list_files' | 'read_file' | 'write_file' | 'replace_span' | 'run_command' | 'run_tests' | 'done';

/** Input of `engineerLoopBegin`: the phase's usual input and the loop's limits. */
export interface EngineerLoopBeginInput extends AgentInput {
  /** Model turns at most; unset means the worker's `AGENT_MAX_TURNS`. */
  turnLimit?: number;
  /** Turns before `done` is offered; unset means the worker's `AGENT_MIN_TURNS`. */
  minTurns?: number;
}

/** What `engineerLoopBegin` returns. */
export type EngineerLoopBeginResult =
  | {
      /** Run the loop: model turn and tool step in pairs, from `transcript`. */
      driver: 'loop';
      /** The opening transcript (system prompt, tools, documents, bug report). */
      transcript: TranscriptRef;
      /** The limits in force, fixed here so a replay never depends on the worker's settings. */
      turnLimit: number;
      minTurns: number;
      /** Which provider thinks: `template` (scripted, offline) or `openai`. */
      provider: string;
    }
  | {
      /** The engineer is an external agent command with its own loop: call the single-shot `engineer` activity. */
      driver: 'single_shot';
    };

/** The loop's beginning when the loop runs. */
export type EngineerLoopBegun = Extract<EngineerLoopBeginResult, { driver: 'loop' }>;

/** What `engineerStart` returns: the loop's beginning, or the single-shot engineer's result when it ran instead. */
export type EngineerStartResult =
  | EngineerLoopBegun
  | {
      /** The engineer is an external agent command: it ran, single-shot, in this same activity. */
      driver: 'single_shot';
      result: PhaseResult;
    };

/**
 * The Engineer's first step as one activity: the loop's beginning, or (an external agent command) the whole
 * single-shot engineer, so that a session whose engineer does not loop runs one activity for it, not two.
 */
export interface EngineerStartActivities {
  engineerStart(input: EngineerLoopBeginInput): Promise<EngineerStartResult>;
}

/** What every step after the beginning is told about where it is. */
export interface EngineerStepPosition {
  sessionId: string;
  workDir: string;
  iteration: number;
  /** 1 for the first model turn. */
  turn: number;
}

/** Input of `engineerModelTurn`. */
export interface EngineerModelTurnInput extends EngineerStepPosition {
  /** The transcript so far: the opening one, then each tool step's. */
  transcript: TranscriptRef;
  /** Leave `done` out of the tools this turn (`turn <= minTurns`). */
  withholdDone: boolean;
}

/** The action a model turn chose, described without any file content. */
export interface EngineerActionSummary {
  /** `invalid` when the reply (and its one repair) was not a usable action: a failed turn. */
  tool: EngineerToolName | 'invalid';
  path?: string;
  /** At most 200 characters. */
  summary: string;
}

/** What `engineerModelTurn` returns. */
export interface EngineerModelTurnResult {
  action: EngineerActionSummary;
  /** The turn's model file (request, reply, parsed action); `engineerTool` carries it out. */
  actionRef: TranscriptRef;
  /** Tokens this turn spent (both requests when it needed a repair); absent for the template provider. */
  usage?: TokenUsage;
}

/** Input of `engineerTool`. */
export interface EngineerToolInput extends EngineerStepPosition {
  actionRef: TranscriptRef;
}

/** What `engineerTool` returns. */
export interface EngineerToolResult {
  /** The transcript with the tool's result appended: the next model turn's input. */
  transcript: TranscriptRef;
  /** One line, as in the session log: `turn 4: run npm test → exit 1, 2 failed`. */
  summary: string;
  /** The model said it is done (the loop ends). */
  done: boolean;
  /** Files this step wrote. */
  artifacts: ArtifactRef[];
}

/** Input of `engineerLoopFinish`. */
export interface EngineerLoopFinishInput {
  sessionId: string;
  workDir: string;
  iteration: number;
  /** The last tool step's transcript. */
  transcript: TranscriptRef;
  /** The limit the loop ran under (from `engineerLoopBegin`). */
  turnLimit: number;
}

/** What `engineerLoopFinish` returns: the phase's result, as the single-shot engineer's. */
export interface EngineerLoopFinishResult extends PhaseResult {
  turns: number;
  stoppedBy: 'done' | 'turn_limit';
}

/** The step activities, as the worker registers them and the workflow proxies them. */
export interface EngineerLoopActivities {
  engineerLoopBegin(input: EngineerLoopBeginInput): Promise<EngineerLoopBeginResult>;
  engineerModelTurn(input: EngineerModelTurnInput): Promise<EngineerModelTurnResult>;
  engineerTool(input: EngineerToolInput): Promise<EngineerToolResult>;
  engineerLoopFinish(input: EngineerLoopFinishInput): Promise<EngineerLoopFinishResult>;
}
