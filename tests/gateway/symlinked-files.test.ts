import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACT_PATHS, SESSION_LOG_PATH } from '../../workflows/definitions';
import { GatewayHarness } from './gateway-harness';

test('artifacts and logs replaced by symlinks (or a FIFO) out of the work directory are never served', async () => {
  const harness = await GatewayHarness.start();
  const outside = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-outside-'));
  try {
    const secret = path.join(outside, 'secret.txt');
    await writeFile(secret, 'OPENAI_API_KEY=sk-should-never-leave\n');
    const created = await harness.request('POST', '/sessions', { body: { user_mission: 'Build a symlink trap' } });
    const id = (created.json as { session_id: string }).session_id;
    const review = await harness.waitForStatus(id, 'awaiting_approval');
    const workDir = review.work_dir as string;

    const before = await harness.request('GET', `/sessions/${id}/artifacts/prd`);
    assert.equal(before.status, 200, 'the real PRD is served');

    // What generated code running in the work directory could do to the files the gateway serves.
    await unlink(path.join(workDir, ARTIFACT_PATHS.prd));
    await symlink(secret, path.join(workDir, ARTIFACT_PATHS.prd));
    await unlink(path.join(workDir, SESSION_LOG_PATH));
    await symlink('/proc/self/environ', path.join(workDir, SESSION_LOG_PATH));
    await unlink(path.join(workDir, ARTIFACT_PATHS.tech_spec));
    execFileSync('mkfifo', [path.join(workDir, ARTIFACT_PATHS.tech_spec)]);

    const prd = await harness.request('GET', `/sessions/${id}/artifacts/prd`);
    assert.equal(prd.status, 404);
    assert.doesNotMatch(prd.text, /sk-should-never-leave/);
    const spec = await harness.request('GET', `/sessions/${id}/artifacts/tech_spec`);
    assert.equal(spec.status, 404, 'a FIFO is not a file (and does not hang the request)');
    const logs = await harness.request('GET', `/sessions/${id}/logs?lines=100`);
    assert.equal(logs.status, 200);
    assert.equal(logs.text, '', 'a symlinked log reads as empty, not as the gateway environment');
    const listing = await harness.request('GET', `/sessions/${id}/artifacts`);
    assert.equal((listing.json as Record<string, unknown>).prd, null);
    assert.equal((listing.json as Record<string, unknown>).tech_spec, null);
    assert.equal(await harness.orchestrator.readArtifact(id, 'prd'), null);
  } finally {
    await harness.close();
    await rm(outside, { recursive: true, force: true });
  }
});
