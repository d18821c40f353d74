import type { Phase } from '../workflows/definitions';
import type { ActivityScope } from './activity-scope';
import type { SessionWorkspace } from './workspace';

/**
 * A phase's lines in the session log. Each line has a key; its event id is made of the activity execution and
 * that key, so a retried activity that logs the same step again adds no second line. `perAttempt` lines
 * (a failed attempt) are kept once per attempt.
 */
export class PhaseLog {
  constructor(
    private readonly workspace: SessionWorkspace,
    readonly phase: Phase,
    private readonly scope: ActivityScope,
  ) {}

  async write(key: string, message: string, options: { perAttempt?: boolean } = {}): Promise<void> {
    const execution = this.scope.execution;
    const eventId = execution
      ? [execution.workflowId, execution.activityId, options.perAttempt ? `a${execution.attempt}` : null, key].filter(Boolean).join('_')
      : undefined;
    await this.workspace.appendLog(this.phase, message, eventId);
  }
}
