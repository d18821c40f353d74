/**
 * A worker process of its own for the kill -9 test: runs the loop's test workflow and the real step activities,
 * built from the settings in LOOP_WORKER_ENV (JSON), on LOOP_WORKER_TASK_QUEUE, until it is killed.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { quietRuntime } from '../helpers/test-server';
import { loopSteps } from './loop-fixture';

async function main(): Promise<void> {
  quietRuntime();
  const env = JSON.parse(process.env.LOOP_WORKER_ENV ?? '{}') as Record<string, string>;
  const connection = await NativeConnection.connect({ address: process.env.LOOP_WORKER_ADDRESS! });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.LOOP_WORKER_TASK_QUEUE!,
    activities: loopSteps(env),
    workflowBundle: { codePath: process.env.LOOP_WORKER_BUNDLE! },
  });
  console.log('worker ready');
  await worker.run();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
