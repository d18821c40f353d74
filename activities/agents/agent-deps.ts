import type { OrchestratorConfig } from '../../src/config';
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
