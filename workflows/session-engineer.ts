/**
 * The session's Engineer phase as workflow code: one single-shot activity (sessions started before the loop), the
 * durable loop begun by `engineerLoopBegin` (lean sessions and older), or `engineerStart` and the loop's turns.
 */
import { type ActivityOptions, proxyActivities } from '@temporalio/workflow';
import type { AgentInput, PhaseResult, SessionActivities, SessionState } from './definitions';
import { continueEngineerLoop, driveEngineerLoop, type EngineerTurnObserver } from './engineer-loop';
import type { EngineerLoopActivities, EngineerStartActivities } from './engineer-loop-contract';
import { recordUsage } from './session-state';

/** How a session's history runs its engineer (decided when the engineer runs: a patch is asked where it applies). */
export type EngineerWay = 'single_shot' | 'loop' | 'start';

/** What the runner needs from the session. */
export interface EngineerRunnerOptions {
  state: SessionState;
  /** The engineer phase's activity options (its timeouts and retries). */
  activityOptions: ActivityOptions;
  /** The single-shot engineer activity. */
  engineer: SessionActivities['engineer'];
  way: () => EngineerWay;
  /** The budget check before each model call (it may pause there). */
  withinBudget: () => Promise<void>;
  /** After a turn's tokens were counted (the memo follows them). */
  onUsage: () => void;
  now: () => string;
}

/** The phase's result, and whether a loop ran it (its turns' tokens were counted as they came). */
export interface EngineerRun {
  result: PhaseResult;
  looped: boolean;
}

/** Runs the session's engineer the way its history does. */
export function createEngineerRunner(options: EngineerRunnerOptions): (input: AgentInput) => Promise<EngineerRun> {
  const { state, activityOptions, engineer, withinBudget, onUsage, now } = options;
  // Each step heartbeats while it works (model calls and children), so a dead worker's step is retried quickly.
  const loopSteps = proxyActivities<EngineerLoopActivities>({ ...activityOptions, heartbeatTimeout: '15 seconds' });
  // The single-shot engineer's options (it may be one, an external command): a lost worker in the loop's beginning is
  // noticed after a minute, not the loop steps' 15 s.
  const { engineerStart } = proxyActivities<EngineerStartActivities>(activityOptions);

  /** A loop turn in the audit trail, its tokens counted as they come. */
  const recordTurn: EngineerTurnObserver = (turn, model, tool) => {
    state.events.push({
      kind: 'agent_turn',
      phase: 'engineer',
      at: now(),
      iteration: state.iterationCount,
      turn,
      tool: model.action.tool,
      summary: tool.summary,
      ...(model.usage ? { usage: model.usage } : {}),
    });
    recordUsage(state, 'engineer', model.usage);
    onUsage();
  };

  return async (input) => {
    const way = options.way();
    if (way === 'single_shot') return { result: await engineer(input), looped: false };
    if (way === 'start') {
      const started = await engineerStart(input);
      if (started.driver === 'single_shot') return { result: started.result, looped: false };
      return { result: await continueEngineerLoop(loopSteps, input, started, recordTurn, withinBudget), looped: true };
    }
    const finished = await driveEngineerLoop(loopSteps, input, recordTurn, withinBudget);
    if (finished) return { result: finished, looped: true };
    await withinBudget();
    // The loop's beginning wrote the carried lines already.
    const { logBefore: _written, ...single } = input;
    return { result: await engineer(single), looped: false };
  };
}
