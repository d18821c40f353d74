import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchFailureOf } from '../../activities/runner/launch-failure';
import { runChild } from '../../activities/runner/run-child';
import { resolveSandbox, type SandboxMode } from '../../activities/runner/sandbox';

const modes: SandboxMode[] = ['none', 'auto'];

void describe('telling a command its sandbox could not start from one that ran and failed', () => {
  let base: string;
  let workDir: string;
  let toolDir: string;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'launch-failure-'));
    await chmod(base, 0o755);
    workDir = path.join(base, 'sess_launchFailure');
    toolDir = path.join(base, 'tools');
    await mkdir(workDir);
    await mkdir(toolDir, { mode: 0o755 });
    // Exists and is executable for the worker, but its interpreter does not exist: exec fails with ENOENT.
    await writeFile(path.join(toolDir, 'bad-interpreter'), '#!/nonexistent/python3\nprint("never")\n', { mode: 0o755 });
    await writeFile(path.join(toolDir, 'exits-127'), '#!/usr/bin/env bash\nno-such-helper-cli-xyz\n', { mode: 0o755 });
  });
  after(() => rm(base, { recursive: true, force: true }));

  for (const mode of modes) {
    const run = async (command: string) =>
      runChild({ command, args: [], workDir, timeoutMs: 10_000, outputLimitBytes: 4096, sandbox: await resolveSandbox(mode, 'nobody'), readOnlyDirs: [toolDir] });

    void test(`${mode}: a script whose interpreter is missing is a launch failure, with the wrapper's reason`, async (t) => {
      const result = await run(path.join(toolDir, 'bad-interpreter'));
      t.diagnostic(`isolation ${result.isolation}, exit ${result.exitCode}: ${result.output.trim()}`);
      assert.match(launchFailureOf(result) ?? '', /^(timeout: failed to run command|bwrap: execvp) .*bad-interpreter.*: No such file or directory$/);
    });

    void test(`${mode}: a command that ran and exited 127 itself is not a launch failure`, async () => {
      const result = await run(path.join(toolDir, 'exits-127'));
      assert.equal(result.exitCode, 127, result.output);
      assert.match(result.output, /no-such-helper-cli-xyz: command not found/);
      assert.equal(launchFailureOf(result), null);
    });
  }

  void test('the wrappers\' lines count only with their exit codes and as the first line', () => {
    assert.equal(launchFailureOf({ exitCode: 2, output: "timeout: failed to run command '/x': Permission denied\n" }), null);
    assert.equal(launchFailureOf({ exitCode: 1, output: 'agent: starting\nbwrap: execvp /x: No such file or directory\n' }), null);
    assert.equal(launchFailureOf({ exitCode: 126, output: "timeout: failed to run command '/x': Permission denied\n" }), "timeout: failed to run command '/x': Permission denied");
  });
});
