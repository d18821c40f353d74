/** Agents that do nothing: what is left of a session's cost is orchestration alone. */
import { createActivities, type WorkerActivities } from '../../activities';

/** Activities whose phases return at once (QA passes; the engineer override also stands in for the loop); the session log is written as usual. */
export function noopActivities(): WorkerActivities {
  return createActivities({
    pm: () => Promise.resolve({ artifacts: [] }),
    architect: () => Promise.resolve({ artifacts: [] }),
    engineer: () => Promise.resolve({ artifacts: [] }),
    qa: () => Promise.resolve({ artifacts: [], passed: true, summary: 'no-op QA passed' }),
  });
}
