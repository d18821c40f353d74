import { log } from '@temporalio/activity';
import type { AgentInput, SessionLogInput } from '../workflows/definitions';
import { SessionWorkspace } from './workspace';

/** Append a line to the session's execution log. */
export async function logSessionEvent(input: SessionLogInput): Promise<void> {
  await new SessionWorkspace(input.workDir).appendLog(input.phase, input.message, input.eventId);
}

/**
 * `run`, after writing the session-log lines its workflow handed it (`logBefore`: a decision's line, carried by
 * the activity that follows it). Each line is written once however often the activity is retried; a line that
 * cannot be written is a warning, as it is for the workflow's own log lines, never the activity's failure.
 */
export function writingCarriedLines<I extends AgentInput, R>(run: (input: I) => Promise<R>): (input: I) => Promise<R> {
  return async (input) => {
    for (const line of input.logBefore ?? []) {
      try {
        await logSessionEvent({ workDir: input.workDir, ...line });
      } catch (err) {
        log.warn('Session log line not written', { sessionId: input.sessionId, phase: line.phase, message: line.message, error: String(err) });
      }
    }
    return run(input);
  };
}
