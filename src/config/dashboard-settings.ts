import { z } from 'zod';
import { parseEnvSettings } from './env-settings';

const schema = z.object({
  /** Base URL of the Temporal Web UI that session pages link to. @default http://localhost:8233 */
  TEMPORAL_UI_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:8233'),
  /** How often a session's event stream looks at Temporal and the log, in ms. @default 250 */
  DASHBOARD_POLL_MS: z.coerce.number().int().min(50).max(10_000).default(250),
  /** How often an idle event stream sends a heartbeat comment, in ms. @default 15000 */
  DASHBOARD_HEARTBEAT_MS: z.coerce.number().int().min(1_000).max(120_000).default(15_000),
});

/** Settings of the dashboard and its event streams. */
export interface DashboardSettings {
  /** Base URL of the Temporal Web UI; a session links to `<base>/namespaces/<ns>/workflows/<id>`. */
  temporalUiUrl: string;
  /** Poll interval of an event stream, in ms. */
  pollMs: number;
  /** Heartbeat interval of an event stream, in ms. */
  heartbeatMs: number;
}

/** Reads and validates the dashboard's environment; a bad value fails start-up with a message naming it. */
export function dashboardSettingsFromEnv(env: NodeJS.ProcessEnv): DashboardSettings {
  const s = parseEnvSettings(schema, env, 'dashboard');
  return { temporalUiUrl: s.TEMPORAL_UI_URL, pollMs: s.DASHBOARD_POLL_MS, heartbeatMs: s.DASHBOARD_HEARTBEAT_MS };
}

/** The dashboard's settings when none is set. */
export const DEFAULT_DASHBOARD_SETTINGS: Readonly<DashboardSettings> = Object.freeze(dashboardSettingsFromEnv({}));
