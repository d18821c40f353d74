import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { runPm } from '../helpers/agents';
import { Output } from '../../src/cli/output';
import { gate } from '../helpers/session-harness';
import { CLI_PATH, CliStack, parseJson } from './cli-harness';

/** A stream that records what is written, as a terminal or not. */
function sink(isTTY: boolean): { write: (chunk: string) => boolean; isTTY: boolean; columns: number; text: () => string } {
  let text = '';
  return { write: (chunk: string) => ((text += chunk), true), isTTY, columns: 80, text: () => text };
}

const SPINNER_LINE = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] running · pm · iteration 0 · \d/;

/**
 * Run a command under a pseudo-terminal (util-linux `script`): stdout and stderr are a TTY, as for a person. Its
 * output so far is readable while it runs.
 */
function inTerminal(command: string, env: NodeJS.ProcessEnv): { soFar: () => string; done: Promise<{ code: number | null; output: string }> } {
  const child = spawn('script', ['-qefc', command, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
  return { soFar: () => output, done };
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
      for (let i = 0; i < 600 && !SPINNER_LINE.test(watching.soFar()); i += 1) await sleep(50);
      release.open();
      const { code, output } = await watching.done;
      assert.equal(code, 0, output);
      assert.match(output, SPINNER_LINE, 'the progress line says where the session is and for how long');
      assert.ok(output.includes('\r\u001b[2K'), 'and is cleared before each result line');
      assert.match(output, /awaiting_approval · review · iteration 0/);
    });
  });
});
