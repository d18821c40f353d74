import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { runPm } from '../../activities/agents/pm';
import { Output } from '../../src/cli/output';
import { gate } from '../helpers/session-harness';
import { CLI_PATH, CliStack, parseJson } from './cli-harness';

/** A stream that records what is written, as a terminal or not. */
function sink(isTTY: boolean): { write: (chunk: string) => boolean; isTTY: boolean; columns: number; text: () => string } {
  let text = '';
  return { write: (chunk: string) => ((text += chunk), true), isTTY, columns: 80, text: () => text };
}

/** Run a command under a pseudo-terminal (util-linux `script`): stdout and stderr are a TTY, as for a person. */
function inTerminal(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile('script', ['-qefc', command, '/dev/null'], { env, timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: stdout });
    });
  });
}

void describe('the progress line: drawn on a terminal, never in pipes or JSON', () => {
  void test('Output draws a spinner on stderr only when stdout and stderr are terminals and the output is not JSON', async () => {
    for (const [stdoutTTY, stderrTTY, json, drawn] of [
      [true, true, false, true],
      [false, true, false, false],
      [true, false, false, false],
      [true, true, true, false],
    ] as const) {
      const stdout = sink(stdoutTTY);
      const stderr = sink(stderrTTY);
      const out = new Output(stdout, stderr, { json });
      await out.while('working', () => sleep(250));
      out.line('result');
      assert.equal(stdout.text(), 'result\n');
      assert.equal(stderr.text().includes('⠋ working'), drawn, JSON.stringify({ stdoutTTY, stderrTTY, json }));
      if (drawn) assert.ok(stderr.text().endsWith('\r\x1b[2K'), 'the line is cleared when the wait ends');
    }
  });

  void describe('the real binary', () => {
    const release = gate();
    let stack: CliStack;
    before(async () => {
      stack = await CliStack.start({
        config: { maxActiveSessions: 10_000 },
        activities: { pm: async (input) => (await release.promise, runPm(input)) },
      });
    });
    after(async () => {
      release.open();
      await stack.close();
    });

    void test('watch in a terminal shows the spinner while the PM works, then the phase changes', async () => {
      const { session_id: id } = parseJson<{ session_id: string }>(await stack.run(['start', 'Build a timer', '--json']));
      await stack.waitFor(id, (s) => s.status === 'running');
      const watching = inTerminal(`${CLI_PATH} watch ${id} --interval 100`, stack.env());
      await sleep(1_000);
      release.open();
      const { code, output } = await watching;
      assert.equal(code, 0, output);
      assert.match(output, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] running · pm · iteration 0 · \d/, 'the progress line says where the session is and for how long');
      assert.ok(output.includes('\r\u001b[2K'), 'and is cleared before each result line');
      assert.match(output, /awaiting_approval · review · iteration 0/);
    });
  });
});
