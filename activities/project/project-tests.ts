import type { OrchestratorConfig } from '../../src/config';
import { ARTIFACT_PATHS } from '../../workflows/definitions';
import { AgentFailureType, nonRetryable } from '../failures';
import { parseCommandTemplate } from '../providers/command-template';
import type { SessionWorkspace } from '../workspace';
import { asTestCommand, DEFAULT_TEST_COMMAND, languageOf, type ProjectLanguage, TEST_COMMANDS, type TestCommand } from './test-commands';

/** The heading of the tech spec's section that names the project's test command. */
export const TEST_COMMAND_HEADING = 'Test command';

/**
 * The tech spec's last section: the project's test command, in backticks on its own line. The orchestrator
 * writes it (from the Architect's choice) after everything a model wrote, so the spec's last section of this
 * name is the one that counts; the reviewer sees and approves it with the rest of the spec.
 */
export function testCommandSection(command: TestCommand): string {
  return [
    `## ${TEST_COMMAND_HEADING}`,
    '',
    `\`${command}\``,
    '',
    `QA runs this in the work directory, and so does the Engineer's run_tests tool (one of ${TEST_COMMANDS.map((c) => `\`${c}\``).join(', ')}).`,
    '',
  ].join('\n');
}

/**
 * The test command a tech spec names: null when it has no such section (specs written before projects named their
 * command), a problem when the section is there but names nothing usable.
 */
export function specTestCommand(spec: string): { command: TestCommand } | { problem: string } | null {
  const headings = [...spec.matchAll(new RegExp(`^##\\s+${TEST_COMMAND_HEADING}\\s*$`, 'gm'))];
  const last = headings.at(-1);
  if (!last) return null;
  const rest = spec.slice(last.index + last[0].length);
  const body = rest.split(/^##\s/m)[0] ?? '';
  const line = body.split('\n').map((text) => text.trim()).find((text) => text !== '');
  const quoted = line ? /^`([^`]+)`$/.exec(line)?.[1] : undefined;
  if (quoted === undefined) return { problem: `its "${TEST_COMMAND_HEADING}" section does not start with a command in backticks` };
  const command = asTestCommand(quoted);
  if (!command) return { problem: `its "${TEST_COMMAND_HEADING}" section names \`${quoted}\`, which is not one of ${TEST_COMMANDS.join(', ')}` };
  return { command };
}

/** What QA and the Engineer's run_tests run, and why that command. */
export interface ProjectTests {
  /** The command line, as the bug report and the logs show it. */
  command: string;
  argv: string[];
  /** `QA_TEST_COMMAND` (the operator's override), `tech spec` (the Architect's choice), or `default` (neither). */
  source: 'QA_TEST_COMMAND' | 'tech spec' | 'default';
  /** The project's language (Node when the spec names no command), for prompts and the template's code. */
  language: ProjectLanguage;
}

/**
 * Which test command a project's tests run with: `QA_TEST_COMMAND` when the operator set it (any command, for every
 * session), else the one the tech spec names, else `npm test`: so a work directory whose spec names none (a session
 * started before this) runs exactly what it always did. A spec whose section names something outside the allowlist
 * (edited by hand: agents cannot write under docs/) fails the phase, not retried.
 */
export function resolveProjectTests(spec: string | null, override: string | undefined): ProjectTests {
  const named = spec === null ? null : specTestCommand(spec);
  if (named && 'problem' in named) throw nonRetryable(AgentFailureType.CONFIG, `${ARTIFACT_PATHS.tech_spec}: ${named.problem}`);
  const language = named ? languageOf(named.command) : 'node';
  if (override !== undefined) return { command: override, argv: parseCommandTemplate(override, 'QA_TEST_COMMAND'), source: 'QA_TEST_COMMAND', language };
  const command = named?.command ?? DEFAULT_TEST_COMMAND;
  return { command, argv: command.split(' '), source: named ? 'tech spec' : 'default', language };
}

/** {@link resolveProjectTests} for a session's work directory and the worker's configuration. */
export async function readProjectTests(workspace: SessionWorkspace, config: Pick<OrchestratorConfig, 'qaTestCommand'>): Promise<ProjectTests> {
  return resolveProjectTests(await workspace.readText(ARTIFACT_PATHS.tech_spec), config.qaTestCommand);
}

/** Where the command came from, for the bug report. */
export function describeSource(tests: ProjectTests): string {
  switch (tests.source) {
    case 'QA_TEST_COMMAND':
      return 'set by the operator (QA_TEST_COMMAND)';
    case 'tech spec':
      return `named by ${ARTIFACT_PATHS.tech_spec}`;
    case 'default':
      return `the default: ${ARTIFACT_PATHS.tech_spec} names no test command`;
  }
}
