/**
 * The session worker with faults, for the cluster's fault tests: the real activities (template providers, real
 * files, real QA command), each followed by a heartbeating pause or a retryable failure, so that a kill -9 lands
 * after a phase has written its artifacts and log lines but before Temporal has its result. It prints one JSON
 * line per activity start and end on stdout, so a test knows which process holds which phase.
 *
 *   FAULT_PAUSE_MS          pm=3000,architect=3000,…: pause after the phase's work, heartbeating each second
 *   FAULT_FAIL_ATTEMPTS     engineer=1,…: the first N attempts of a phase fail (retryably) after their work
 *
 * Everything else is configured as for dist/src/worker.js.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type WorkerActivities } from '../../activities';
import { ConfigError } from '../../src/config';
import { loadConfig } from '../../src/config/load-config';
import { logger, setLogLevel } from '../../src/logger';
import { installRuntime } from '../../src/temporal/runtime';
import { startSessionWorker } from '../../src/worker';
import type { AgentPhase } from '../../workflows/definitions';

const PHASES: readonly AgentPhase[] = ['pm', 'architect', 'engineer', 'qa'];

/** `pm=3000,qa=1` → { pm: 3000, qa: 1 }; a phase or number that is not one fails start-up. */
export function parsePhaseNumbers(variable: string, raw: string | undefined): Partial<Record<AgentPhase, number>> {
  const result: Partial<Record<AgentPhase, number>> = {};
  for (const item of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [phase, value] = item.split('=');
    if (!PHASES.includes(phase as AgentPhase) || !/^\d+$/.test(value ?? '')) {
      throw new ConfigError(`${variable}: "${item}" is not <phase>=<non-negative integer> (phases: ${PHASES.join(', ')})`);
    }
    result[phase as AgentPhase] = Number(value);
  }
  return result;
}

/** A line the fault tests read: which process started or finished which phase of which session. */
export interface FaultEvent {
  fault: 'started' | 'finished';
  phase: AgentPhase;
  sessionId: string;
  attempt: number;
  pid: number;
}

function announce(event: Omit<FaultEvent, 'pid'>): void {
  process.stdout.write(`${JSON.stringify({ ...event, pid: process.pid })}\n`);
}

async function pauseWithHeartbeats(ms: number): Promise<void> {
  const context = Context.current();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    context.heartbeat();
    await context.sleep(Math.min(1_000, until - Date.now()));
  }
}

/** The real phase activities, each wrapped with the configured pause or failure. */
export function faultyActivities(real: WorkerActivities, pauses: Partial<Record<AgentPhase, number>>, failures: Partial<Record<AgentPhase, number>>): WorkerActivities {
  const wrap = <I extends { sessionId: string }, R>(phase: AgentPhase, body: (input: I) => Promise<R>) => async (input: I): Promise<R> => {
    const { attempt } = Context.current().info;
    announce({ fault: 'started', phase, sessionId: input.sessionId, attempt });
    const result = await body(input);
    await pauseWithHeartbeats(pauses[phase] ?? 0);
    if (attempt <= (failures[phase] ?? 0)) {
      throw ApplicationFailure.retryable(`injected failure of ${phase} attempt ${attempt}`, 'InjectedFault');
    }
    announce({ fault: 'finished', phase, sessionId: input.sessionId, attempt });
    return result;
  };
  return {
    ...real,
    pm: wrap('pm', (input) => real.pm(input)),
    architect: wrap('architect', (input) => real.architect(input)),
    engineer: wrap('engineer', (input) => real.engineer(input)),
    // The engineer runs as a loop of steps: its last step stands for the phase.
    engineerLoopFinish: wrap('engineer', (input) => real.engineerLoopFinish(input)),
    qa: wrap('qa', (input) => real.qa(input)),
  };
}

async function main(): Promise<void> {
  const { orchestrator: config, logLevel } = loadConfig();
  setLogLevel(logLevel);
  const pauses = parsePhaseNumbers('FAULT_PAUSE_MS', process.env.FAULT_PAUSE_MS);
  const failures = parsePhaseNumbers('FAULT_FAIL_ATTEMPTS', process.env.FAULT_FAIL_ATTEMPTS);
  installRuntime();
  logger.info({ pauses, failures }, 'faults injected');
  const worker = await startSessionWorker(config, { activities: faultyActivities(createActivities({}, { config }), pauses, failures) });
  await worker.finished;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.fatal({ err }, 'fault worker failed');
    process.exit(1);
  });
}
