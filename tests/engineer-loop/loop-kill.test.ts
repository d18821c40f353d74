import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { sharedTestServer } from '../helpers/test-server';
import { ChatStandIn, type RecordedRequest } from '../providers/chat-stand-in';
import { type LoopFixture, loopFixture } from './loop-fixture';
import { loopBundle } from './loop-worker';
import type { engineerLoopTestWorkflow } from './workflow/loop-workflow';

/** The turn a request is for: one more than the assistant messages it carries. */
function turnOf(request: RecordedRequest): number {
  return (request.body.messages ?? []).filter((message) => message.role === 'assistant').length + 1;
}

/**
 * kill -9 of a worker process between two model calls. The model endpoint is a stand-in because the test must
 * count requests per turn and kill the worker at an exact one; Temporal, the worker and the activities are real.
 */
void describe('the Engineer loop survives kill -9 of its worker', () => {
  let dir: string;
  let bundlePath: string;
  let fixture: LoopFixture;
  const workers: ChildProcess[] = [];
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'loop-kill-'));
    bundlePath = path.join(dir, 'loop-bundle.js');
    await writeFile(bundlePath, (await loopBundle()).code);
    fixture = await loopFixture('Build a countdown timer');
  });
  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await fixture.remove();
    await rm(dir, { recursive: true, force: true });
  });

  void test('no recorded model call is made again, and the loop completes on a new worker', async (t) => {
    const { address } = await sharedTestServer();
    const taskQueue = `loop-kill-${randomUUID()}`;
    let killedAt = 0;
    let resumedAt = 0;
    const standIn = await new ChatStandIn((request, index) => {
      const turn = turnOf(request);
      if (index === 1) {
        // The second request (turn 2): the worker dies while it waits for the reply.
        workers[0]?.kill('SIGKILL');
        killedAt = Date.now();
      } else if (killedAt && !resumedAt) resumedAt = Date.now();
      return { content: turn < 3 ? '{"tool": "list_files"}' : '{"tool": "done", "summary": "listed the files twice"}' };
    }).start();
    const env = { AGENT_PROVIDER_ENGINEER: 'openai', OPENAI_BASE_URL: standIn.baseUrl, OPENAI_MODEL: 'stand-in', RUN_MODEL_CODE: 'true', AGENT_MAX_TURNS: '3', AGENT_MIN_TURNS: '2' };
    const startWorker = async (): Promise<void> => {
      const child = spawn(process.execPath, [path.join(__dirname, 'loop-worker-main.js')], {
        env: { ...process.env, LOOP_WORKER_ENV: JSON.stringify(env), LOOP_WORKER_ADDRESS: address, LOOP_WORKER_TASK_QUEUE: taskQueue, LOOP_WORKER_BUNDLE: bundlePath },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      workers.unshift(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('worker ready') && resolve());
        child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
      });
    };
    const connection = await Connection.connect({ address });
    try {
      await startWorker();
      const handle = await new Client({ connection }).workflow.start<typeof engineerLoopTestWorkflow>('engineerLoopTestWorkflow', {
        taskQueue,
        workflowId: `loop-kill-${fixture.input.sessionId}`,
        args: [fixture.input],
      });
      while (!killedAt) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise<void>((resolve) => (workers[0]!.exitCode !== null || workers[0]!.signalCode ? resolve() : workers[0]!.once('exit', () => resolve())));
      await startWorker();
      const result = await handle.result();

      assert.equal(result.finished?.stoppedBy, 'done');
      assert.equal(result.finished?.turns, 3);
      const perTurn = [1, 2, 3].map((turn) => standIn.requests.filter((request) => turnOf(request) === turn).length);
      assert.deepEqual(perTurn, [1, 2, 1], 'turn 1 (recorded before the kill) was not asked again; turn 2 (in flight) was asked once more');
      t.diagnostic(`from kill -9 to the retried model call on the new worker: ${resumedAt - killedAt} ms`);
    } finally {
      await connection.close();
      await standIn.stop();
    }
  });
});
