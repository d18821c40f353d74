import type { SessionActivities, SessionLogInput } from '../workflows/definitions';
import { runArchitect } from './agents/architect';
import { runEngineer } from './agents/engineer';
import { runPm } from './agents/pm';
import { runQa } from './agents/qa';
import { SessionWorkspace } from './workspace';

/** Append a line to the session's execution log. */
export async function logSessionEvent(input: SessionLogInput): Promise<void> {
  await new SessionWorkspace(input.workDir).appendLog(input.phase, input.message, input.eventId);
}

/**
 * The activities a worker registers for session workflows. Tests pass `overrides` to put their own
 * implementation of a phase (a QA that fails, a slow engineer) behind the real workflow.
 */
export function createActivities(overrides: Partial<SessionActivities> = {}): SessionActivities {
  return {
    pm: runPm,
    architect: runArchitect,
    engineer: runEngineer,
    qa: runQa,
    logSessionEvent,
    ...overrides,
  };
}
