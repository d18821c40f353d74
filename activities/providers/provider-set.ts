import { ConfigError, type OrchestratorConfig } from '../../src/config';
import { AGENT_PHASES, type AgentPhase } from '../../workflows/definitions';
import { passthroughNames } from '../runner/child-env';
import { AgentFailureType, environmentFault } from '../failures';
import { resolveSandbox, untrustedCodeRefusal, type ResolvedSandbox } from '../runner/sandbox';
import { CommandTemplateError, parseCommandTemplate } from './command-template';
import { CommandProvider } from './command-provider';
import { ChatClient } from './openai/chat-client';
import { OpenAiProvider } from './openai/openai-provider';
import { TemplateProvider } from './template/template-provider';
import type { AgentProvider, ProviderName } from './types';

/** Each phase's activity timeout: its config key and the variable that sets it. */
const PHASE_TIMEOUTS = {
  pm: ['pmTimeoutSeconds', 'PM_TIMEOUT_SECONDS'],
  architect: ['architectTimeoutSeconds', 'ARCHITECT_TIMEOUT_SECONDS'],
  engineer: ['engineerTimeoutSeconds', 'ENGINEER_TIMEOUT_SECONDS'],
  qa: ['qaTimeoutSeconds', 'QA_TIMEOUT_SECONDS'],
} as const satisfies Record<AgentPhase, readonly [keyof OrchestratorConfig, string]>;

/**
 * The provider of each phase, chosen by config (`AGENT_PROVIDER`, then `AGENT_PROVIDER_<PHASE>`), built and
 * checked once so a bad setting fails the worker at start-up with a ConfigError instead of a session later.
 */
export class ProviderSet {
  private readonly providers = new Map<AgentPhase, AgentProvider>();
  private readonly names: Record<AgentPhase, ProviderName>;
  private chatClient: ChatClient | null = null;

  constructor(readonly config: OrchestratorConfig) {
    this.names = {
      pm: config.pmProvider ?? config.agentProvider,
      architect: config.architectProvider ?? config.agentProvider,
      engineer: config.engineerProvider ?? config.agentProvider,
      qa: config.qaProvider ?? config.agentProvider,
    };
    const problems: string[] = [];
    let openai: OpenAiProvider | null = null;
    let command: CommandProvider | null = null;
    const template = new TemplateProvider();
    for (const phase of AGENT_PHASES) {
      const name = this.names[phase];
      const timeoutProblem = name === 'openai' ? this.openAiTimeoutProblem(phase) : null;
      if (timeoutProblem) problems.push(timeoutProblem);
      try {
        if (name === 'openai') openai ??= this.createOpenAi();
        if (name === 'command' && phase === 'engineer') command ??= this.createCommand();
      } catch (err) {
        if (!(err instanceof ConfigError || err instanceof CommandTemplateError)) throw err;
        if (!problems.includes(err.message)) problems.push(err.message);
        continue;
      }
      this.providers.set(phase, name === 'openai' ? openai! : name === 'command' && phase === 'engineer' ? command! : template);
    }
    if (config.qaTestCommand !== undefined) {
      try {
        parseCommandTemplate(config.qaTestCommand, 'QA_TEST_COMMAND');
      } catch (err) {
        if (!(err instanceof CommandTemplateError)) throw err;
        problems.push(err.message);
      }
    }
    if (problems.length > 0) throw new ConfigError(`Invalid agent provider configuration: ${problems.join('; ')}`);
  }

  /** The provider a phase uses (`command` outside the engineer phase means the template). */
  forPhase(phase: AgentPhase): AgentProvider {
    return this.providers.get(phase)!;
  }

  /** The provider configured for a phase. */
  nameFor(phase: AgentPhase): ProviderName {
    return this.names[phase];
  }

  /** The chat client of the `openai` provider, when some phase uses it (the Engineer's loop talks to it turn by turn). */
  get chat(): ChatClient | null {
    return this.chatClient;
  }

  /** Whether scaffold.sh comes from a model. */
  get scaffoldIsModelWritten(): boolean {
    return this.forPhase('architect').name === 'openai';
  }

  /** Whether the project QA runs contains code a model (or an external agent) wrote. */
  get codeIsModelWritten(): boolean {
    return this.scaffoldIsModelWritten || this.forPhase('engineer').name !== 'template';
  }

  /** The sandbox children run in (probed once per process). */
  sandbox(): Promise<ResolvedSandbox> {
    return resolveSandbox(this.config.sandbox, this.config.sandboxUser);
  }

  /**
   * The sandbox for code a model or an external agent wrote (`what` says which, for the message); fails the
   * phase, not retried, where children would run as the worker's own user unless `RUN_SANDBOX=none` accepts it.
   */
  async sandboxForUntrustedCode(what: string): Promise<ResolvedSandbox> {
    const sandbox = await this.sandbox();
    const refusal = untrustedCodeRefusal(sandbox);
    if (refusal) throw environmentFault(AgentFailureType.SANDBOX_UNAVAILABLE, `refusing to run ${what}: ${refusal}`);
    return sandbox;
  }

  /** A request must time out before its phase does, or a slow model ends in retried activity timeouts. */
  private openAiTimeoutProblem(phase: AgentPhase): string | null {
    const [key, variable] = PHASE_TIMEOUTS[phase];
    const phaseSeconds = this.config[key];
    if (this.config.openaiTimeoutSeconds < phaseSeconds) return null;
    return (
      `OPENAI_TIMEOUT_SECONDS (${this.config.openaiTimeoutSeconds}) must be below ${variable} (${phaseSeconds}), ` +
      `the timeout of the ${phase} phase, which uses the openai provider`
    );
  }

  private createOpenAi(): OpenAiProvider {
    const { config } = this;
    const missing: string[] = [];
    if (!config.openaiModel) missing.push('OPENAI_MODEL is required');
    if (!config.openaiBaseUrl && !config.openaiApiKey) missing.push("OPENAI_API_KEY is required for OpenAI's own endpoint (or set OPENAI_BASE_URL for a local server)");
    if (missing.length > 0) throw new ConfigError(`the openai provider is selected but ${missing.join(' and ')}`);
    this.chatClient = new ChatClient({
      model: config.openaiModel!,
      responseFormat: config.openaiResponseFormat,
      timeoutMs: config.openaiTimeoutSeconds * 1000,
      ...(config.openaiBaseUrl ? { baseUrl: config.openaiBaseUrl } : {}),
      ...(config.openaiApiKey ? { apiKey: config.openaiApiKey } : {}),
      maxTokens: config.openaiMaxTokens,
    });
    return new OpenAiProvider(this.chatClient);
  }

  private createCommand(): CommandProvider {
    const { config } = this;
    if (!config.agentCommand) throw new ConfigError('the command provider is selected for the engineer but AGENT_COMMAND is not set');
    if (config.agentCommandTimeoutSeconds >= config.engineerTimeoutSeconds) {
      throw new ConfigError(
        `AGENT_COMMAND_TIMEOUT_SECONDS (${config.agentCommandTimeoutSeconds}) must be below ENGINEER_TIMEOUT_SECONDS ` +
          `(${config.engineerTimeoutSeconds}), the timeout of the engineer phase, or the phase times out before the agent command is stopped`,
      );
    }
    const env = passthroughNames(config.agentCommandEnv);
    if (env.refused.length > 0) {
      throw new ConfigError(`AGENT_COMMAND_ENV may not pass ${env.refused.join(', ')} (TEMPORAL_* and ORCHESTRATOR_* never reach children)`);
    }
    return new CommandProvider({
      argv: parseCommandTemplate(config.agentCommand),
      timeoutMs: config.agentCommandTimeoutSeconds * 1000,
      outputLimitBytes: config.runOutputLimitBytes,
      passthroughEnv: env.allowed,
      sandbox: () => this.sandboxForUntrustedCode('the agent command'),
    });
  }
}
