import { ConfigError, type OrchestratorConfig, resolveConfig } from '../config';
import { dashboardSettingsFromEnv, type DashboardSettings } from './dashboard-settings';
import { gatewaySettingsFromEnv, type GatewaySettings } from './gateway-settings';
import { type LogLevel, logLevelFromEnv } from './log-level';
import { tracingSettingsFromEnv, type TracingSettings } from './tracing-settings';

/** Every setting a process of the orchestrator reads, validated: what an entry point loads once and passes down. */
export interface ProcessConfig {
  /** Sessions, Temporal, agents, runs, webhooks, the worker (src/config.ts). */
  orchestrator: OrchestratorConfig;
  /** API_TOKEN and GATEWAY_*. */
  gateway: GatewaySettings;
  /** TEMPORAL_UI_URL and DASHBOARD_*. */
  dashboard: DashboardSettings;
  /** The OpenTelemetry variables read here; null when tracing is off. */
  tracing: TracingSettings | null;
  /** LOG_LEVEL. */
  logLevel: LogLevel;
}

/**
 * The configuration of an entry point, from `env`: defaults, then the environment, every setting validated. A bad
 * value fails here, with one ConfigError naming every bad variable (of every group), before anything starts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ProcessConfig {
  const problems: string[] = [];
  const read = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(err.message);
      return undefined;
    }
  };
  const orchestrator = read(() => resolveConfig({}, env));
  const gateway = read(() => gatewaySettingsFromEnv(env));
  const dashboard = read(() => dashboardSettingsFromEnv(env));
  const tracing = read(() => tracingSettingsFromEnv(env));
  const logLevel = read(() => logLevelFromEnv(env));
  if (problems.length > 0 || !orchestrator || !gateway || !dashboard || tracing === undefined || !logLevel) {
    throw new ConfigError(problems.join('; '));
  }
  return { orchestrator, gateway, dashboard, tracing, logLevel };
}
