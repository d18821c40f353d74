import type { OrchestratorConfig } from '../src/config';
import { AGENT_PHASES, type AgentPhase } from '../workflows/definitions';
import { missingTestRunners } from './project/missing-runner';
import { ProviderSet } from './providers/provider-set';
import { type Isolation, untrustedCodeRefusal } from './runner/sandbox';

/** What a worker says at start-up about how its agents think and how their children run. */
export interface AgentSetupSummary {
  providers: Record<AgentPhase, string>;
  model: string | null;
  runModelCode: boolean;
  isolation: Isolation | 'unavailable';
  childUser: string | null;
  /** Why isolation is weaker than asked for, or why children cannot run at all. */
  notice: string | null;
  /** Runners of the allowed test commands not on the children's PATH: projects that name one wait in QA for it. */
  missingTestRunners: string[];
}

/** Check the provider settings (ConfigError when wrong) and probe the sandbox once, for the start-up log. */
export async function agentSetupSummary(config: OrchestratorConfig): Promise<AgentSetupSummary> {
  const providers = new ProviderSet(config);
  const summary: AgentSetupSummary = {
    providers: Object.fromEntries(AGENT_PHASES.map((phase) => [phase, providers.forPhase(phase).name])) as Record<AgentPhase, string>,
    model: AGENT_PHASES.some((phase) => providers.forPhase(phase).name === 'openai') ? (config.openaiModel ?? null) : null,
    runModelCode: config.runModelCode,
    isolation: 'unavailable',
    childUser: null,
    notice: null,
    missingTestRunners: await missingTestRunners(),
  };
  try {
    const sandbox = await providers.sandbox();
    summary.isolation = sandbox.isolation;
    summary.childUser = sandbox.userName;
    summary.notice = sandbox.notice;
    const refusal = providers.codeIsModelWritten ? untrustedCodeRefusal(sandbox) : null;
    if (refusal) summary.notice = `${summary.notice ? `${summary.notice}; ` : ''}sessions will stop at the engineer phase: ${refusal}`;
  } catch (err) {
    summary.notice = `engineer and QA cannot run children: ${(err as Error).message}`;
  }
  if (providers.codeIsModelWritten && !config.runModelCode) {
    const warning = 'a model writes code and RUN_MODEL_CODE is off: sessions will stop at the engineer phase';
    summary.notice = summary.notice ? `${summary.notice}; ${warning}` : warning;
  }
  return summary;
}
