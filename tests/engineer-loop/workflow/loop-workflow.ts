/**
 * A test workflow that drives the Engineer loop over the real step activities, in the shape the session
 * workflow uses: `driveEngineerLoop` with the steps proxied, each model call and tool call its own activity.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { EngineerLoopActivities, EngineerLoopFinishResult } from '../../../workflows/engineer-loop-contract';
import { driveEngineerLoop } from '../../../workflows/engineer-loop';
import type { AgentInput } from '../../../workflows/definitions';

const steps = proxyActivities<EngineerLoopActivities>({
  startToCloseTimeout: '5 minutes',
  // Every step heartbeats while it waits (model calls, commands), so a dead worker's step is retried quickly.
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '50 ms', backoffCoefficient: 1, maximumAttempts: 3 },
});

/** The loop's result, and each turn's one-line summary as the workflow saw it. */
export interface LoopWorkflowResult {
  finished: EngineerLoopFinishResult | null;
  summaries: string[];
}

export async function engineerLoopTestWorkflow(input: AgentInput & { turnLimit?: number; minTurns?: number }): Promise<LoopWorkflowResult> {
  const summaries: string[] = [];
  const finished = await driveEngineerLoop(steps, input, (_turn, _model, tool) => summaries.push(tool.summary));
  return { finished, summaries };
}
