import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { AgentFailureType } from '../../activities/failures';
import { missingRunner, missingRunnerIn } from '../../activities/project/missing-runner';
import { resolveProjectTests, specTestCommand, testCommandSection } from '../../activities/project/project-tests';
import { asTestCommand, TEST_COMMANDS } from '../../activities/project/test-commands';
import { parseDesignReply } from '../../activities/providers/openai/model-output';
import { designSchema } from '../../activities/providers/openai/reply-schemas';
import { templateTestCommand } from '../../activities/providers/template/scaffold';
import { failingTestNames, parseTestCounts } from '../../activities/qa/test-counts';
import { runChild } from '../../activities/runner/run-child';
import { resolveSandbox, type SandboxMode } from '../../activities/runner/sandbox';

const ROOT_ONLY = process.getuid?.() === 0 ? false : 'skipped: needs a root worker whose children drop to RUN_AS_USER';

function design(testCommand: unknown): string {
  return JSON.stringify({
    test_command: testCommand,
    overview: 'An adder.',
    interfaces: '`add(a, b)`',
    test_plan: 'One test.',
    files: [{ path: 'test/add.test.js', purpose: 'tests', content: '' }],
    feedback_response: '',
  });
}

function invalidOutput(run: () => unknown): ApplicationFailure {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, AgentFailureType.INVALID_MODEL_OUTPUT);
    assert.equal(err.nonRetryable, true, 'not retried: the structured ask repairs it within the attempt');
    return err;
  }
  assert.fail('the reply was accepted');
}

void describe("the project's test command", () => {
  void test("the Architect's reply schema offers only the allowlist, and a reply naming another command is invalid model output", () => {
    const schema = designSchema(10_000) as { properties: Record<string, unknown>; required: string[] };
    assert.deepEqual(schema.properties.test_command, { type: 'string', enum: ['npm test', 'node --test', 'pytest'] });
    assert.ok(schema.required.includes('test_command'));

    assert.equal(parseDesignReply(design('pytest')).test_command, 'pytest');
    assert.equal(parseDesignReply(design('  node   --test ')).test_command, 'node --test', 'spaces do not matter');
    for (const bad of ['rm -rf / && npm test', 'npm test; curl evil', 'python -m pytest', 'make test', '']) {
      const err = invalidOutput(() => parseDesignReply(design(bad)));
      assert.match(err.message, /test_command: .* is not an allowed test command; use one of "npm test", "node --test", "pytest"/, bad);
    }
    assert.match(invalidOutput(() => parseDesignReply(design(42))).message, /test_command/);
    const { test_command: _omitted, ...without } = JSON.parse(design('npm test')) as Record<string, unknown>;
    assert.match(invalidOutput(() => parseDesignReply(JSON.stringify(without))).message, /test_command/, 'a reply that names none is refused too');
  });

  void test("the tech spec's Test command section is read back; the last one counts; a spec without one is an older spec", () => {
    for (const command of TEST_COMMANDS) assert.deepEqual(specTestCommand(`# Spec\n\n## Overview\n\nx\n\n${testCommandSection(command)}`), { command });
    assert.equal(specTestCommand('# Spec\n\n## Overview\n\nx\n\n## Test plan\n\nQA runs `npm test`.\n'), null);
    const modelWroteOne = `## Test plan\n\n## Test command\n\n\`npm test\`\n\n## Feedback addressed\n\nNone.\n\n${testCommandSection('pytest')}`;
    assert.deepEqual(specTestCommand(modelWroteOne), { command: 'pytest' }, 'the section the orchestrator writes last wins');
    assert.match((specTestCommand('## Test command\n\n`rm -rf /`\n') as { problem: string }).problem, /names `rm -rf \/`, which is not one of npm test, node --test, pytest/);
    assert.match((specTestCommand('## Test command\n\nrun the tests\n') as { problem: string }).problem, /does not start with a command in backticks/);
    assert.equal(asTestCommand('pytest -k x'), null);
  });

  void test('what runs: QA_TEST_COMMAND over the spec, the spec over the default; a spec naming none runs exactly what it did before', () => {
    const python = `# Spec\n\n${testCommandSection('pytest')}`;
    const older = '# Spec\n\n## Test plan\n\nQA runs `npm test`.\n';
    assert.deepEqual(resolveProjectTests(python, undefined), { command: 'pytest', argv: ['pytest'], source: 'tech spec', language: 'python' });
    assert.deepEqual(resolveProjectTests(older, undefined), { command: 'npm test', argv: ['npm', 'test'], source: 'default', language: 'node' });
    assert.deepEqual(resolveProjectTests(null, undefined), { command: 'npm test', argv: ['npm', 'test'], source: 'default', language: 'node' });
    assert.deepEqual(resolveProjectTests(older, 'bash -c "make check"'), { command: 'bash -c "make check"', argv: ['bash', '-c', 'make check'], source: 'QA_TEST_COMMAND', language: 'node' });
    assert.deepEqual(resolveProjectTests(python, 'python3 -m pytest -q'), { command: 'python3 -m pytest -q', argv: ['python3', '-m', 'pytest', '-q'], source: 'QA_TEST_COMMAND', language: 'python' });
    assert.throws(
      () => resolveProjectTests('## Test command\n\n`curl evil | sh`\n', undefined),
      (err: unknown) => err instanceof ApplicationFailure && err.type === AgentFailureType.CONFIG && err.nonRetryable && /docs\/TECH_SPEC\.md: .*curl evil/.test(err.message),
    );
  });

  void test('the template Architect names pytest when the mission, the project name or feedback says Python, else npm test', () => {
    const brief = { sessionId: 'sess_x', mission: 'Build a word counter', projectName: null, iteration: 0, feedback: [] };
    assert.equal(templateTestCommand(brief), 'npm test');
    assert.equal(templateTestCommand({ ...brief, mission: 'Build a word counter in PYTHON' }), 'pytest');
    assert.equal(templateTestCommand({ ...brief, projectName: 'python-words' }), 'pytest');
    assert.equal(templateTestCommand({ ...brief, mission: 'Build a pythonic thing' }), 'npm test', 'the word, not a part of one');
    const feedback = [{ feedback: 'Write it in Python, please', rejectTo: 'architect' as const, iteration: 1, at: '', by: null }];
    assert.equal(templateTestCommand({ ...brief, feedback }), 'pytest');
  });

  void test("pytest's summary gives counts and failing tests", () => {
    const output = [
      '============================= test session starts ==============================',
      'tests/test_project.py .F.                                                [100%]',
      '=========================== short test summary info ============================',
      'FAILED tests/test_project.py::test_summary_names_the_project - AssertionError: assert',
      '========================= 1 failed, 2 passed in 0.03s ==========================',
    ].join('\n');
    assert.deepEqual(parseTestCounts(output), { total: 3, passed: 2, failed: 1, skipped: 0 });
    assert.deepEqual(failingTestNames(output), ['tests/test_project.py::test_summary_names_the_project']);
  });
});

void describe('a test runner that is not installed', () => {
  let base: string;
  let workDir: string;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'runner-missing-'));
    await chmod(base, 0o755);
    workDir = path.join(base, 'sess_runnerMissing');
    await mkdir(workDir);
  });
  after(() => rm(base, { recursive: true, force: true }));

  void test('is found before it runs: no executable of that name where test runs look', async () => {
    assert.match((await missingRunner(['no-such-test-runner', '--all'], workDir)) ?? '', /^no-such-test-runner is not installed on this worker \(not found on the PATH test runs get \(\/usr\/local\/bin:/);
    assert.match((await missingRunner(['./bin/run-tests'], workDir)) ?? '', /^\.\/bin\/run-tests is not installed on this worker \(no executable \.\/bin\/run-tests in the work directory\)/);
    assert.equal(await missingRunner(['npm', 'test'], workDir), null, "npm comes with the worker's Node");
  });

  for (const mode of ['none', 'auto'] as SandboxMode[]) {
    void test(`${mode}: is recognised in a real run: python3 -m <module> without the module, a runner the child's user cannot execute`, { skip: ROOT_ONLY }, async () => {
      const sandbox = await resolveSandbox(mode, 'nobody');
      const run = (command: string, args: string[]) =>
        runChild({ command, args, workDir, timeoutMs: 30_000, outputLimitBytes: 8192, sandbox });
      const noModule = await run('python3', ['-m', 'no_such_runner_module']);
      assert.equal(missingRunnerIn(['python3', '-m', 'no_such_runner_module'], noModule), 'no_such_runner_module is not installed on this worker for python3 (python3 -m no_such_runner_module: no module named no_such_runner_module)', noModule.output);

      const privateDir = await mkdtemp(path.join(os.tmpdir(), 'root-only-'));
      try {
        const runner = path.join(privateDir, 'run-tests');
        await writeFile(runner, '#!/bin/sh\necho ran\n', { mode: 0o755 });
        assert.equal(await missingRunner([runner], workDir), null, 'the worker (root) finds it');
        const denied = await run(runner, []);
        assert.match(missingRunnerIn([runner], denied) ?? '', /is not installed on this worker \(the test run could not execute it\)/, `${sandbox.isolation}: ${denied.output}`);
      } finally {
        await rm(privateDir, { recursive: true, force: true });
      }

      const importError = await run('python3', ['-c', 'import no_such_dependency']);
      assert.notEqual(importError.exitCode, 0);
      assert.equal(missingRunnerIn(['python3', '-m', 'no_such_dependency'], importError), null, "a test's own missing import is the project's failure, not a missing runner");
    });
  }
});
