/**
 * The real agent activities with the configuration from the environment (built once): what a test passes as one
 * phase's activity when it wraps, counts or delays that phase on the real workflow.
 */
import { createArchitect } from '../../activities/agents/architect';
import { type AgentDeps, createAgentDeps } from '../../activities/agents/agent-deps';
import { createEngineer } from '../../activities/agents/engineer';
import { createPm } from '../../activities/agents/pm';
import { createQa } from '../../activities/agents/qa';
import { resolveConfig } from '../../src/config';
import type { AgentInput, PhaseResult, QaResult } from '../../workflows/definitions';

let fromEnvironment: AgentDeps | null = null;

function agentDeps(): AgentDeps {
  fromEnvironment ??= createAgentDeps(resolveConfig());
  return fromEnvironment;
}

/** The PM activity. */
export function runPm(input: AgentInput): Promise<PhaseResult> {
  return createPm(agentDeps())(input);
}

/** The Architect activity. */
export function runArchitect(input: AgentInput): Promise<PhaseResult> {
  return createArchitect(agentDeps())(input);
}

/** The Engineer activity. */
export function runEngineer(input: AgentInput): Promise<PhaseResult> {
  return createEngineer(agentDeps())(input);
}

/** The QA activity. */
export function runQa(input: AgentInput): Promise<QaResult> {
  return createQa(agentDeps())(input);
}
