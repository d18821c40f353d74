import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { runArchitect, runPm, runQa } from '../helpers/agents';
import { AgentFailureType } from '../../activities/failures';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { approveSignal, rejectSignal } from '../../workflows/definitions';
import { type HarnessOptions, SessionHarness } from '../helpers/session-harness';

/** One recorded path through the session workflow. */
export interface Scenario {
  name: string;
  options?: HarnessOptions;
  /** Drives one session to its end; returns its id. */
  run(harness: SessionHarness): Promise<string>;
}

async function toReview(harness: SessionHarness, mission: string): Promise<string> {
  const id = await harness.orchestrator.startNewSession(mission, 'replay');
  await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
  return id;
}

async function untilClosed(harness: SessionHarness, id: string): Promise<string> {
  await harness.client.workflow.getHandle(id).result().catch(() => undefined);
  return id;
}

/** Template agents that report the usage a model provider would (the budget's arithmetic, exactly). */
const spendingAgents = {
  pm: async (input: Parameters<typeof runPm>[0]) => ({
    ...(await runPm(input)),
    usage: { promptTokens: 120, completionTokens: 30, totalTokens: 150, requests: 1, model: 'stand-in-model' },
  }),
  architect: async (input: Parameters<typeof runArchitect>[0]) => ({
    ...(await runArchitect(input)),
    usage: { promptTokens: 100, completionTokens: 50, totalTokens: 150, requests: 1, model: 'stand-in-model' },
  }),
};

let qaRuns = 0;
let pmAttempts = 0;
let loopQaRuns = 0;
let singleShotQaRuns = 0;

/** The paths whose histories guard against changes that would break sessions in flight. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'approve-completed',
    run: async (harness) => {
      const id = await toReview(harness, 'Replay: approve straight away');
      await harness.orchestrator.approveAndContinue(id, { by: 'replay' });
      return untilClosed(harness, id);
    },
  },
  {
    name: 'reject-pm-reject-architect-approve',
    run: async (harness) => {
      const id = await toReview(harness, 'Replay: two rejections then approval');
      await harness.orchestrator.rejectAndIterate(id, 'Rework the goals', 'pm');
      await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await harness.orchestrator.rejectAndIterate(id, 'Add rate limiting', 'architect');
      await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await harness.orchestrator.approveAndContinue(id);
      return untilClosed(harness, id);
    },
  },
  {
    name: 'signals-ignored-then-applied',
    run: async (harness) => {
      const id = await toReview(harness, 'Replay: decisions by signal');
      const handle = harness.client.workflow.getHandle(id);
      await handle.signal(rejectSignal, { feedback: 'Via the CLI', rejectTo: 'architect', by: 'operator' });
      await harness.waitFor(id, (info) => info.iterationCount === 1 && info.status === SessionStatus.AWAITING_APPROVAL);
      await handle.signal(approveSignal, { by: 'operator' });
      await harness.waitFor(id, (info) => info.currentPhase !== 'review');
      await handle.signal(approveSignal, { by: 'late operator' });
      return untilClosed(harness, id);
    },
  },
  {
    name: 'qa-retry-completed',
    options: {
      activities: {
        qa: async (input) => {
          const result = await runQa(input);
          qaRuns += 1;
          return qaRuns === 1 ? { ...result, passed: false, summary: 'first run fails' } : result;
        },
      },
    },
    run: async (harness) => {
      qaRuns = 0;
      const id = await toReview(harness, 'Replay: QA fails once');
      await harness.orchestrator.approveAndContinue(id);
      return untilClosed(harness, id);
    },
  },
  {
    name: 'max-iterations-failed',
    options: { config: { maxIterations: 1 } },
    run: async (harness) => {
      const id = await toReview(harness, 'Replay: rejected past the limit');
      await harness.orchestrator.rejectAndIterate(id, 'first');
      await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await harness.orchestrator.rejectAndIterate(id, 'second');
      return untilClosed(harness, id);
    },
  },
  {
    name: 'qa-limit-failed',
    options: {
      config: { maxIterations: 1 },
      activities: { qa: async (input) => ({ ...(await runQa(input)), passed: false, summary: 'always fails' }) },
    },
    run: async (harness) => {
      const id = await toReview(harness, 'Replay: QA never passes');
      await harness.orchestrator.approveAndContinue(id);
      return untilClosed(harness, id);
    },
  },
  {
    name: 'cancelled-while-running',
    options: {
      activities: {
        pm: async () => {
          for (;;) {
            Context.current().heartbeat();
            await Context.current().sleep(100);
          }
        },
      },
    },
    run: async (harness) => {
      const id = await harness.orchestrator.startNewSession('Replay: cancelled mid-phase', 'replay');
      await harness.waitForStatus(id, SessionStatus.RUNNING);
      await harness.orchestrator.cancelSession(id);
      return untilClosed(harness, id);
    },
  },
  {
    name: 'cancelled-in-review',
    run: async (harness) => {
      const id = await toReview(harness, 'Replay: cancelled');
      await harness.orchestrator.cancelSession(id);
      return untilClosed(harness, id);
    },
  },
  {
    name: 'review-rounds-stale-refused',
    run: async (harness) => {
      const id = await toReview(harness, 'Replay: decisions that name their round');
      await harness.orchestrator.rejectAndIterate(id, 'Rework the spec', 'architect', { reviewRound: 1 });
      await harness.waitFor(id, (info) => info.status === SessionStatus.AWAITING_APPROVAL && info.reviewRound === 2);
      await harness.orchestrator.approveAndContinue(id, { reviewRound: 1 }).catch(() => undefined);
      await harness.client.workflow.getHandle(id).signal(approveSignal, { by: 'operator', reviewRound: 1 });
      await harness.orchestrator.approveAndContinue(id, { reviewRound: 2, by: 'replay' });
      return untilClosed(harness, id);
    },
  },
  {
    name: 'environment-fault-retried',
    options: {
      activities: {
        pm: async (input) => {
          pmAttempts += 1;
          if (pmAttempts < 3) {
            throw ApplicationFailure.create({ message: 'sandbox unavailable (replay)', type: AgentFailureType.SANDBOX_UNAVAILABLE, nonRetryable: false, nextRetryDelay: 10 });
          }
          return runPm(input);
        },
      },
    },
    run: async (harness) => {
      pmAttempts = 0;
      const id = await toReview(harness, 'Replay: an environment fault clears');
      await harness.orchestrator.approveAndContinue(id, { reviewRound: 1 });
      return untilClosed(harness, id);
    },
  },
  {
    name: 'engineer-loop-completed',
    run: async (harness) => {
      const id = await toReview(harness, 'Replay: the engineer as a loop of steps');
      await harness.orchestrator.approveAndContinue(id, { reviewRound: 1 });
      return untilClosed(harness, id);
    },
  },
  {
    name: 'engineer-loop-qa-retry-completed',
    options: {
      activities: {
        qa: async (input) => {
          const result = await runQa(input);
          loopQaRuns += 1;
          return loopQaRuns === 1 ? { ...result, passed: false, summary: 'first run fails' } : result;
        },
      },
    },
    run: async (harness) => {
      loopQaRuns = 0;
      const id = await toReview(harness, 'Replay: QA sends the loop back once');
      await harness.orchestrator.approveAndContinue(id);
      return untilClosed(harness, id);
    },
  },
  {
    name: 'current-code-completed',
    run: async (harness) => {
      // Every patch of today's code (review rounds, the engineer loop, local log lines), recorded together.
      const id = await toReview(harness, 'Replay: the session as the current code runs it');
      await harness.orchestrator.rejectAndIterate(id, 'One more section', 'architect', { reviewRound: 1 });
      await harness.waitFor(id, (info) => info.status === SessionStatus.AWAITING_APPROVAL && info.reviewRound === 2);
      await harness.orchestrator.approveAndContinue(id, { reviewRound: 2 });
      return untilClosed(harness, id);
    },
  },
  {
    name: 'token-budget-paused-extended',
    options: { activities: spendingAgents, config: { sessionTokenBudget: 100, modelPricePerMtokIn: 1, modelPricePerMtokOut: 2 } },
    run: async (harness) => {
      const id = await harness.orchestrator.startNewSession('Replay: paused at the budget, extended', 'replay');
      await harness.waitForStatus(id, SessionStatus.PAUSED);
      await harness.orchestrator.extendBudget(id, 10, { by: 'replay' });
      await harness.orchestrator.extendBudget(id, 1000, { by: 'replay' });
      await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
      await harness.orchestrator.approveAndContinue(id, { reviewRound: 1 });
      return untilClosed(harness, id);
    },
  },
  {
    name: 'token-budget-expired-while-paused',
    options: { activities: spendingAgents, config: { sessionTokenBudget: 100, sessionTtlDays: 2 / 86_400 } },
    run: async (harness) => {
      const id = await harness.orchestrator.startNewSession('Replay: paused and forgotten', 'replay');
      return untilClosed(harness, id);
    },
  },
  {
    name: 'webhooks-reminded-completed',
    options: { config: { webhookUrls: 'http://127.0.0.1:9/hooks', reviewRemindAfterSeconds: 1 } },
    run: async (harness) => {
      const id = await toReview(harness, 'Replay: webhooks, two reminders, approval');
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await harness.orchestrator.approveAndContinue(id, { reviewRound: 1 });
      return untilClosed(harness, id);
    },
  },
  {
    name: 'expired-in-review',
    options: { config: { sessionTtlDays: 2 / 86_400 } },
    run: async (harness) => {
      const id = await toReview(harness, 'Replay: nobody reviews');
      return untilClosed(harness, id);
    },
  },
];

/**
 * The lean session (one patch marker, upserts only on change, decision lines carried by the next activity), recorded
 * on the paths it changes: a decision's line, a resume's line, a cancellation's and a failure's flush.
 */
const LEAN_PATHS = [
  'approve-completed',
  'reject-pm-reject-architect-approve',
  'engineer-loop-qa-retry-completed',
  'token-budget-paused-extended',
  'cancelled-in-review',
  'max-iterations-failed',
  'webhooks-reminded-completed',
];
SCENARIOS.push(
  ...LEAN_PATHS.map((name): Scenario => {
    const scenario = SCENARIOS.find((candidate) => candidate.name === name);
    if (!scenario) throw new Error(`no scenario ${name}`);
    return { ...scenario, name: `lean-${name}` };
  }),
);

/**
 * The engineer's one starting activity (`engineerStart`): the lean paths again, where it begins the loop, and an
 * engineer that does not loop, where it is the whole single-shot engineer (twice: QA sends it back once).
 */
SCENARIOS.push(
  ...LEAN_PATHS.map((name): Scenario => ({ ...SCENARIOS.find((candidate) => candidate.name === `lean-${name}`)!, name: `start-${name}` })),
  {
    name: 'start-single-shot-engineer-qa-retry-completed',
    options: {
      activities: {
        engineer: (input) => Promise.resolve({ artifacts: [], usage: { promptTokens: 3 + input.iteration, completionTokens: 2, totalTokens: 5 + input.iteration, requests: 1, model: 'replay' } }),
        // The engineer writes no code, so QA's verdict is the scenario's: it fails the first run only.
        qa: () => {
          singleShotQaRuns += 1;
          return Promise.resolve({ artifacts: [], passed: singleShotQaRuns > 1, summary: singleShotQaRuns > 1 ? 'passed' : 'first run fails' });
        },
      },
    },
    run: async (harness) => {
      singleShotQaRuns = 0;
      const id = await toReview(harness, 'Replay: a single-shot engineer, sent back once by QA');
      await harness.orchestrator.approveAndContinue(id, { reviewRound: 1 });
      return untilClosed(harness, id);
    },
  },
);

// The same single-shot engineer in a lean session (recorded at f2a0a9c, before engineer-start): engineerLoopBegin
// hands over to the engineer activity.
SCENARIOS.push({ ...SCENARIOS.find((candidate) => candidate.name === 'start-single-shot-engineer-qa-retry-completed')!, name: 'lean-single-shot-engineer-qa-retry-completed' });

/** Run a scenario on a fresh harness and close it. */
export async function runScenario(scenario: Scenario): Promise<{ harness: SessionHarness; id: string }> {
  const harness = await SessionHarness.start(scenario.options);
  const id = await scenario.run(harness);
  return { harness, id };
}
