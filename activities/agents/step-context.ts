import type { ActivityScope } from '../activity-scope';
import type { ProviderCall } from '../providers/types';

/** What a step of a phase gets: the session's workspace and log, and the activity it runs in. */
export interface StepContext extends ProviderCall {
  scope: ActivityScope;
}
