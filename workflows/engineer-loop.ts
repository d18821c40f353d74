/**
 * The Engineer's loop as workflow code: deterministic, no I/O, no imports but types. The session workflow (and
 * the test workflow under tests/) call it with the proxied step activities, so each model call and each tool
 * call is its own recorded activity and a replay re-pays nothing.
 */
import type { AgentInput } from './definitions';
import type {
  EngineerLoopActivities,
  EngineerLoopBegun,
  EngineerLoopFinishResult,
  EngineerModelTurnResult,
  EngineerToolResult,
} from './engineer-loop-contract';

/** Told after each completed turn (for the workflow's state or audit trail); must itself be deterministic. */
export type EngineerTurnObserver = (turn: number, model: EngineerModelTurnResult, tool: EngineerToolResult) => void;

/**
 * Begin, then model turn and tool step in pairs until the model is done or the turn limit is reached, then
 * finish. Returns null when the engineer is an external command: the caller runs the single-shot activity.
 * `beforeModelTurn` runs before each model call (the session's budget check, which may pause there).
 */
export async function driveEngineerLoop(
  steps: EngineerLoopActivities,
  input: AgentInput & { turnLimit?: number; minTurns?: number },
  onTurn?: EngineerTurnObserver,
  beforeModelTurn?: () => Promise<void>,
): Promise<EngineerLoopFinishResult | null> {
  const begun = await steps.engineerLoopBegin(input);
  if (begun.driver === 'single_shot') return null;
  return continueEngineerLoop(steps, input, begun, onTurn, beforeModelTurn);
}

/** The loop after its beginning (`begun`, from `engineerLoopBegin` or `engineerStart`): the turns, then finish. */
export async function continueEngineerLoop(
  steps: Omit<EngineerLoopActivities, 'engineerLoopBegin'>,
  input: AgentInput,
  begun: EngineerLoopBegun,
  onTurn?: EngineerTurnObserver,
  beforeModelTurn?: () => Promise<void>,
): Promise<EngineerLoopFinishResult> {
  const position = { sessionId: input.sessionId, workDir: input.workDir, iteration: input.iteration };
  let transcript = begun.transcript;
  for (let turn = 1; turn <= begun.turnLimit; turn += 1) {
    await beforeModelTurn?.();
    const model = await steps.engineerModelTurn({ ...position, turn, transcript, withholdDone: turn <= begun.minTurns });
    const tool = await steps.engineerTool({ ...position, turn, actionRef: model.actionRef });
    transcript = tool.transcript;
    onTurn?.(turn, model, tool);
    if (tool.done) break;
  }
  return steps.engineerLoopFinish({ ...position, transcript, turnLimit: begun.turnLimit });
}
