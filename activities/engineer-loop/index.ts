import type { AgentDeps } from '../agents/agent-deps';
import { ConfigError } from '../../src/config';
import { createLoopBegin } from './begin';
import type { EngineerLoopActivities } from './contract';
import { createLoopFinish } from './finish';
import { createModelTurn } from './model-turn';
import { OpenAiTurnModel } from './openai-turn-model';
import { TemplateTurnModel } from './template-model';
import { createToolStep } from './tool-step';
import type { TurnModel } from './turn-model';

export type * from './contract';
export { driveEngineerLoop } from '../../workflows/engineer-loop';

/** How the loop's activities are built. */
export interface EngineerLoopOptions {
  /** A model of the test's own for every turn (a stand-in at an edge the real model cannot serve). */
  turnModel?: TurnModel;
}

/** The Engineer loop's step activities, with the providers and settings of `deps`. */
export function createEngineerLoopActivities(deps: AgentDeps, options: EngineerLoopOptions = {}): EngineerLoopActivities {
  const template = new TemplateTurnModel();
  let openai: OpenAiTurnModel | null = null;
  const modelFor = (provider: string): TurnModel => {
    if (options.turnModel) return options.turnModel;
    if (provider === 'template') return template;
    if (provider === 'openai' && deps.providers.chat) return (openai ??= new OpenAiTurnModel(deps.providers.chat));
    throw new ConfigError(`the engineer loop has no model for the ${provider} provider on this worker`);
  };
  return {
    engineerLoopBegin: createLoopBegin(deps),
    engineerModelTurn: createModelTurn(deps, { modelFor }),
    engineerTool: createToolStep(deps),
    engineerLoopFinish: createLoopFinish(deps),
  };
}
