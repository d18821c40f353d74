/** The languages a project may be written in, as far as the orchestrator's prompts and template know them. */
export type ProjectLanguage = 'node' | 'python';

/** What a test command needs of the project, told to the Architect and the Engineer. */
interface TestCommandProfile {
  language: ProjectLanguage;
  /** The project layout the command runs, in a phrase for the Architect's prompt. */
  layout: string;
}

/**
 * The test commands an Architect may name for a project, and the layout each one runs. The list is short on
 * purpose: every worker that runs sessions is expected to have each runner (Node's two come with Node; pytest is
 * installed by `src/runners/install-pytest.sh`). `python -m pytest` is left out: it runs the same pytest, and
 * Debian (the workers' base) has no `python`, only `python3`; the template's `pytest.ini` puts the sources on the
 * import path, which is what `-m` would add.
 */
export const TEST_COMMAND_PROFILES = {
  'npm test': { language: 'node', layout: 'a Node.js package whose package.json "test" script is "node --test", with node:test tests' },
  'node --test': { language: 'node', layout: 'Node.js with node:test tests in files named *.test.js (node --test finds them)' },
  pytest: { language: 'python', layout: 'Python 3 (standard library only) with pytest tests in tests/test_*.py and a pytest.ini' },
} as const satisfies Record<string, TestCommandProfile>;

/** A test command from the allowlist. */
export type TestCommand = keyof typeof TEST_COMMAND_PROFILES;

/** The allowlist, in the order the prompts list it. */
export const TEST_COMMANDS = Object.keys(TEST_COMMAND_PROFILES) as TestCommand[];

/** What QA runs when nothing names a command: what it always ran before projects named their own. */
export const DEFAULT_TEST_COMMAND: TestCommand = 'npm test';

/** The allowed command `value` spells (spaces around and between words do not matter), or null. */
export function asTestCommand(value: string): TestCommand | null {
  const normal = value.trim().replace(/\s+/g, ' ');
  return (TEST_COMMANDS as string[]).includes(normal) ? (normal as TestCommand) : null;
}

/** The language of an allowed command's project. */
export function languageOf(command: TestCommand): ProjectLanguage {
  return TEST_COMMAND_PROFILES[command].language;
}

/** What the Engineer is told about the environment the tests run in. */
export function environmentOf(language: ProjectLanguage): string {
  return language === 'python'
    ? 'Python 3, standard library only, tests run by pytest, no network'
    : 'Node.js 20, CommonJS, no dependencies, no network';
}

/** The allowlist as the prompts show it: each command, quoted, with the layout it runs. */
export function testCommandChoices(): string {
  return TEST_COMMANDS.map((command) => `"${command}" (${TEST_COMMAND_PROFILES[command].layout})`).join(', ');
}
