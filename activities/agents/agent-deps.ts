import { type OrchestratorConfig, resolveConfig } from '../../src/config';
import { ProviderSet } from '../providers/provider-set';

/** What every agent activity works with: the configuration and the providers it selects. */
export interface AgentDeps {
  config: OrchestratorConfig;
  providers: ProviderSet;
}

/** Deps built from a configuration; throws a ConfigError naming every bad provider setting. */
export function createAgentDeps(config: OrchestratorConfig): AgentDeps {
  return { config, providers: new ProviderSet(config) };
}

let fromEnvironment: AgentDeps | null = null;

/** Deps from the environment (defaults plus overrides), built once; what `runPm` and friends use. */
export function defaultAgentDeps(): AgentDeps {
  fromEnvironment ??= createAgentDeps(resolveConfig());
  return fromEnvironment;
}
