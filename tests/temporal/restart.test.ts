import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Connection } from '@temporalio/client';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { startDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../helpers/free-port';
import { prepareNamespace } from '../../src/temporal/namespace';
import { SearchAttributeKeys } from '../../workflows/definitions';
import { SessionHarness } from '../helpers/session-harness';

async function customSearchAttributes(address: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    return Object.keys(customAttributes ?? {});
  } finally {
    await connection.close();
  }
}

async function retentionDays(address: string): Promise<number> {
  const connection = await Connection.connect({ address });
  try {
    const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
    return Number(described.config?.workflowExecutionRetentionTtl?.seconds) / 86_400;
  } finally {
    await connection.close();
  }
}

test('search attributes and retention are applied to an existing database, idempotently', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-db-'));
  const dbPath = path.join(dir, 'existing.db');
  try {
    const first = await startDevServer({ port: await freePort(), uiPort: null, dbPath });
    const before = await customSearchAttributes(first.address);
    await first.stop();
    assert.ok(!before.includes(SearchAttributeKeys.status.name), 'a fresh database has none of ours');

    const second = await startDevServer({ port: await freePort(), uiPort: null, dbPath });
    try {
      const connection = await Connection.connect({ address: second.address });
      try {
        const report = await prepareNamespace(connection, 'default', 9);
        assert.deepEqual(report.searchAttributesAdded.sort(), Object.values(SearchAttributeKeys).map((key) => key.name).sort());
        assert.equal(report.retentionDaysBefore, 1, "the dev server's default namespace keeps one day");
        const again = await prepareNamespace(connection, 'default', 9);
        assert.deepEqual(again.searchAttributesAdded, [], 'a second run adds nothing');
      } finally {
        await connection.close();
      }
      const after = await customSearchAttributes(second.address);
      for (const key of Object.values(SearchAttributeKeys)) assert.ok(after.includes(key.name), key.name);
      assert.equal(await retentionDays(second.address), 9);
    } finally {
      await second.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a session in review survives the dev server and the worker stopping and starting on the same dbPath', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-db-'));
  const dbPath = path.join(dir, 'orchestrator.db');
  const port = await freePort();
  let server = await startDevServer({ port, uiPort: null, dbPath });
  try {
    const setup = await Connection.connect({ address: server.address });
    await prepareNamespace(setup, 'default', 3);
    await setup.close();

    const firstRun = await SessionHarness.start({ address: server.address, config: { taskQueue: 'restart-test' } });
    const id = await firstRun.orchestrator.startNewSession('Build a durable thing', 'durable');
    await firstRun.waitForStatus(id, SessionStatus.AWAITING_APPROVAL);
    const workDirBase = firstRun.workDirBase;
    await firstRun.stopWorker();
    await firstRun.orchestrator.close();
    await server.stop();

    server = await startDevServer({ port, uiPort: null, dbPath });
    const secondRun = await SessionHarness.start({
      address: server.address,
      config: { taskQueue: 'restart-test', workDirBase },
    });
    try {
      const resumed = await secondRun.orchestrator.getSessionStatus(id);
      assert.equal(resumed.status, SessionStatus.AWAITING_APPROVAL);
      assert.equal(resumed.currentPhase, 'review');
      assert.equal(resumed.projectName, 'durable');
      const approved = await secondRun.orchestrator.approveAndContinue(id);
      assert.equal(approved.currentPhase, 'engineer');
      const done = await secondRun.waitForStatus(id, SessionStatus.COMPLETED);
      assert.equal(done.qaPassed, true);
      assert.equal(await retentionDays(server.address), 3, 'retention persisted with the database');
    } finally {
      await secondRun.close();
      await firstRun.close().catch(() => undefined);
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
