import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { findTemporalCli } from '../../src/temporal/binaries';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { SessionHarness } from '../helpers/session-harness';
import { phaseOfActivity } from '../../workflows/definitions';

const run = promisify(execFile);

/** What the Web UI reads through the built-in metadata query (temporal.api.sdk.v1.WorkflowMetadata). */
interface WorkflowMetadata {
  definition?: { type?: string; signalDefinitions?: { name: string }[]; updateDefinitions?: { name: string }[]; queryDefinitions?: { name: string }[] };
  currentDetails?: string;
}

void describe('sessions as the Temporal Web UI shows them, on the real dev server', () => {
  let harness: SessionHarness;
  let address: string;
  before(async () => {
    harness = await SessionHarness.start({ config: { maxActiveSessions: 10_000 } });
    address = harness.orchestrator.config.temporalAddress ?? '';
  });
  after(() => harness.close());

  void test('summary (project and mission), current details (status, phase, iteration), activities named after phases, the documented list query and signals', async () => {
    const { orchestrator, client } = harness;
    const id = await orchestrator.startNewSession('Build a recipe search API', 'web-ui');
    await harness.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const handle = client.workflow.getHandle(id);

    const description = await handle.describe();
    assert.equal(await description.staticSummary(), '[web-ui] Build a recipe search API', 'the summary column of the workflow list');

    const metadata = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
    assert.equal(metadata.definition?.type, 'sessionWorkflow');
    assert.match(metadata.currentDetails ?? '', /\*\*Status:\*\* awaiting_approval · \*\*Phase:\*\* review · \*\*Iteration:\*\* 0\/\d+/);
    const names = (list: { name: string }[] | undefined): string[] => (list ?? []).map((d) => d.name).sort();
    assert.deepEqual(names(metadata.definition?.signalDefinitions), ['approve', 'phaseRetrying', 'reject'], 'the signals the documented commands send, and the worker’s retry notice');
    assert.deepEqual(names(metadata.definition?.updateDefinitions), ['approve', 'extendBudget', 'reject']);

    const scheduled = new Set<string>();
    for (const event of (await handle.fetchHistory()).events ?? []) {
      const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (type) scheduled.add(type);
    }
    assert.deepEqual([...scheduled].filter((type) => type !== 'logSessionEvent').sort(), ['architect', 'pm'], 'activity types are the phase names');

    // The Web UI list query of docs/operations.md, as the UI (and `temporal workflow list --query`) runs it.
    const query = `WorkflowType = 'sessionWorkflow' AND SessionStatus = 'awaiting_approval' AND SessionProject = 'web-ui'`;
    const found: string[] = [];
    for await (const execution of client.workflow.list({ query })) found.push(execution.workflowId);
    assert.deepEqual(found, [id]);

    // The `temporal workflow signal` approval of docs/operations.md, with the real Temporal CLI.
    await run(findTemporalCli(), ['workflow', 'signal', '--address', address, '--namespace', 'default', '--workflow-id', id, '--name', 'approve', '--input', '{"by":"ops"}']);
    const done = await harness.waitForStatus(id, SessionStatus.COMPLETED);
    assert.equal(done.currentPhase, 'done');
    const history = await orchestrator.getHistory(id);
    assert.deepEqual(
      history.decisions.map((d) => ({ decision: d.decision, by: d.by, via: d.via })),
      [{ decision: 'approve', by: 'ops', via: 'signal' }],
    );
    // Every agent activity is named after its phase: the phase itself, or (the Engineer's loop) engineer + its step.
    const phases = new Set<string>();
    for (const event of (await handle.fetchHistory()).events ?? []) {
      const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (!type || type === 'logSessionEvent') continue;
      assert.match(type, /^(pm|architect|qa|engineer(Start|LoopBegin|ModelTurn|Tool|LoopFinish)?)$/, type);
      phases.add(phaseOfActivity(type) ?? type);
    }
    assert.deepEqual([...phases].sort(), ['architect', 'engineer', 'pm', 'qa']);
  });
});
