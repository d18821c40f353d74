/**
 * A session worker with no-op agents, as its own process so the benchmark can read its memory:
 * `node dist/tests/bench/noop-worker.js <address> <taskQueue> <bundlePath>`. Stops on SIGTERM.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createSessionWorker } from '../../src/worker';
import { noopActivities } from './noop-agents';

async function main(): Promise<void> {
  const [address, taskQueue, bundlePath] = process.argv.slice(2);
  if (!address || !taskQueue || !bundlePath) throw new Error('usage: noop-worker <address> <taskQueue> <bundlePath>');
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGTERM', 'SIGINT'] });
  const connection = await NativeConnection.connect({ address });
  const worker = await createSessionWorker({ connection, namespace: 'default', taskQueue, activities: noopActivities(), workflowBundle: { codePath: bundlePath } });
  process.stdout.write('ready\n');
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
