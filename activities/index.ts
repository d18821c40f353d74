import { listOf, type OrchestratorConfig, resolveConfig } from '../src/config';
import type { SessionActivities } from '../workflows/definitions';
import { createAgentDeps } from './agents/agent-deps';
import { createArchitect } from './agents/architect';
import { createEngineer } from './agents/engineer';
import { createPm } from './agents/pm';
import { createQa } from './agents/qa';
import { createEngineerLoopActivities, type EngineerLoopActivities, type EngineerLoopOptions, type EngineerStartActivities } from './engineer-loop';
import { createWebhookDelivery } from './webhooks/deliver';
import { logSessionEvent, writingCarriedLines } from './session-log';
import type { NotifierActivities } from '../workflows/webhook-definitions';

export { agentSetupSummary, type AgentSetupSummary } from './agent-setup';
export { retryLimitInterceptor } from './retry-limit';
export { assertPreflight, preflight, PreflightError, type PreflightProblem } from './preflight';

export { logSessionEvent } from './session-log';

/** Bound on one webhook delivery attempt. */
const WEBHOOK_ATTEMPT_TIMEOUT_MS = 10_000;

/** How the activities are built. */
export interface ActivityOptions {
  /** Provider, sandbox and run settings. @default resolveConfig() (defaults plus environment) */
  config?: OrchestratorConfig;
  /** How the Engineer loop's steps are built (a test's own turn model). */
  engineerLoop?: EngineerLoopOptions;
}

/** Everything a worker registers: the phases, and the Engineer loop's steps. */
export type WorkerActivities = SessionActivities & EngineerLoopActivities & EngineerStartActivities & NotifierActivities;

/**
 * The activities a worker registers for session workflows: the phases (the single-shot `engineer` stays for
 * sessions in flight, and for external agent commands) and the Engineer loop's steps. The configuration picks each
 * phase's provider and is checked here, so a bad provider setting fails the worker at start-up (ConfigError).
 * Tests pass `overrides` to put their own implementation of a phase (a QA that fails, a slow engineer) behind the
 * real workflow; an `engineer` override replaces the loop too (its beginning then hands over to the override).
 */
export function createActivities(overrides: Partial<WorkerActivities> = {}, options: ActivityOptions = {}): WorkerActivities {
  const config = options.config ?? resolveConfig();
  const deps = createAgentDeps(config);
  const loop = createEngineerLoopActivities(deps, options.engineerLoop);
  if (overrides.engineer) loop.engineerLoopBegin = () => Promise.resolve({ driver: 'single_shot' });
  const activities: WorkerActivities = {
    pm: createPm(deps),
    architect: createArchitect(deps),
    engineer: createEngineer(deps),
    qa: createQa(deps),
    logSessionEvent,
    deliverWebhook: createWebhookDelivery({
      secret: config.webhookSecret,
      format: config.webhookFormat,
      timeoutMs: WEBHOOK_ATTEMPT_TIMEOUT_MS,
      configuredUrls: listOf(config.webhookUrls),
    }),
    ...loop,
    // The loop's beginning, or, when it hands over to the single-shot engineer, that engineer in the same activity.
    engineerStart: async (input) => {
      const begun = await activities.engineerLoopBegin(input);
      return begun.driver === 'loop' ? begun : { driver: 'single_shot', result: await activities.engineer(input) };
    },
    ...overrides,
  };
  // Whichever implementation runs a phase (a test's override too) writes the lines the workflow handed it first.
  return {
    ...activities,
    pm: writingCarriedLines((input) => activities.pm(input)),
    architect: writingCarriedLines((input) => activities.architect(input)),
    engineer: writingCarriedLines((input) => activities.engineer(input)),
    qa: writingCarriedLines((input) => activities.qa(input)),
    engineerLoopBegin: writingCarriedLines((input) => activities.engineerLoopBegin(input)),
    engineerStart: writingCarriedLines((input) => activities.engineerStart(input)),
  };
}
