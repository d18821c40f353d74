import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { createSessionWorker } from '../../src/worker';
import { bundleWorkflowsToFile } from '../helpers/test-server';

/** A session worker of the benchmark's own, on a task queue of its own, and the settings its Orchestrators use. */
export interface BenchWorker {
  config: { temporalAddress: string; taskQueue: string; workDirBase: string };
  stop(): Promise<void>;
}

/** Start a worker on `address` (workflows bundled into `dir`, work directories under it). */
export async function startBenchWorker(address: string, dir: string): Promise<BenchWorker> {
  const config = { temporalAddress: address, taskQueue: `bench-${randomUUID()}`, workDirBase: path.join(dir, 'work') };
  const connection = await NativeConnection.connect({ address });
  const worker = await createSessionWorker({
    connection,
    namespace: 'default',
    taskQueue: config.taskQueue,
    workflowBundle: { codePath: await bundleWorkflowsToFile(dir) },
  });
  const running = worker.run();
  return {
    config,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
