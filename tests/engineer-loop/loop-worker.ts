import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { EngineerLoopActivities } from '../../activities/engineer-loop';
import type { AgentInput } from '../../workflows/definitions';
import { sharedTestServer } from '../helpers/test-server';
import type { engineerLoopTestWorkflow, LoopWorkflowResult } from './workflow/loop-workflow';

let bundle: Promise<{ code: string }> | null = null;
const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The test workflow, bundled once per process. */
function loopBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('./workflow/loop-workflow'), logger: quiet });
  return bundle;
}

/** What a finished loop workflow left in Temporal. */
export interface LoopRun {
  result: LoopWorkflowResult;
  /** Activity types in the order they were scheduled. */
  scheduled: string[];
  /** The workflow's whole history, encoded as the server stores it. */
  historyBytes: number;
  /** The history as JSON with every payload decoded to text, to search for what must not be there. */
  historyJson: string;
}

/** A real worker on the suite's dev server, on a task queue of its own, running the loop's activities. */
export class LoopWorker {
  private constructor(
    private readonly worker: Worker,
    private readonly running: Promise<void>,
    private readonly nativeConnection: NativeConnection,
    private readonly connection: Connection,
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  static async start(activities: EngineerLoopActivities): Promise<LoopWorker> {
    const { address } = await sharedTestServer();
    const taskQueue = `engineer-loop-${randomUUID()}`;
    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, activities, workflowBundle: await loopBundle() });
    const running = worker.run();
    const connection = await Connection.connect({ address });
    return new LoopWorker(worker, running, nativeConnection, connection, new Client({ connection }), taskQueue);
  }

  /** Run the test workflow to its end and read its history. */
  async run(input: AgentInput & { turnLimit?: number; minTurns?: number }): Promise<LoopRun> {
    const handle = await this.client.workflow.start<typeof engineerLoopTestWorkflow>('engineerLoopTestWorkflow', {
      taskQueue: this.taskQueue,
      workflowId: `loop-${input.sessionId}-${randomUUID()}`,
      args: [input],
    });
    const result = await handle.result();
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    return {
      result,
      scheduled,
      historyBytes: temporal.api.history.v1.History.encode(history).finish().byteLength,
      historyJson: JSON.stringify(history, payloadsAsText),
    };
  }

  async stop(): Promise<void> {
    this.worker.shutdown();
    await this.running;
    await this.nativeConnection.close();
    await this.connection.close();
  }
}

/** A JSON replacer that shows binary payload data as the UTF-8 text it encodes. */
function payloadsAsText(key: string, value: unknown): unknown {
  if (key === 'data' && typeof value === 'string') return Buffer.from(value, 'base64').toString('utf8');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  const buffer = value as { type?: string; data?: unknown };
  if (buffer && buffer.type === 'Buffer' && Array.isArray(buffer.data)) return Buffer.from(buffer.data as number[]).toString('utf8');
  return value;
}
