import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createActivities } from '../../activities';
import { type OrchestratorConfig, resolveConfig } from '../../src/config';
import type { SessionActivities } from '../../workflows/definitions';
import { type HarnessOptions, SessionHarness } from '../helpers/session-harness';

/**
 * A harness whose worker runs the real agent activities built from `env` (as a worker would read its
 * environment, but hermetic: the test process's own variables are not consulted), with `overrides` on top.
 */
export function agentHarness(
  env: Record<string, string>,
  options: { overrides?: Partial<SessionActivities>; config?: Partial<OrchestratorConfig> } & Omit<HarnessOptions, 'activities' | 'config'> = {},
): Promise<SessionHarness> {
  const { overrides, config, ...rest } = options;
  const activities = createActivities(overrides ?? {}, { config: resolveConfig({}, env) });
  return SessionHarness.start({ ...rest, activities, ...(config ? { config } : {}) });
}

/** A file of a session's work directory. */
export function readWorkFile(workDir: string, relative: string): Promise<string> {
  return readFile(path.join(workDir, relative), 'utf8');
}
