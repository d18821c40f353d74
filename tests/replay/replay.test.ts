import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { projectRoot } from '../../src/temporal/binaries';
import { SCENARIOS } from './scenarios';
import { sharedTestServer } from '../helpers/test-server';

const FIXTURES = path.join(projectRoot(), 'tests', 'fixtures', 'histories');

test('every recorded session history replays against the current workflow code', async () => {
  const { bundlePath } = await sharedTestServer();
  const files = (await readdir(FIXTURES)).filter((file) => file.endsWith('.json')).sort();
  assert.deepEqual(
    files.map((file) => file.replace(/\.json$/, '')),
    SCENARIOS.map((scenario) => scenario.name).sort(),
    'one fixture per scenario (npm run fixtures:record)',
  );
  async function* histories() {
    for (const file of files) {
      const history = historyFromJSON(JSON.parse(await readFile(path.join(FIXTURES, file), 'utf8')));
      yield { workflowId: file, history };
    }
  }
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath } }, histories())) {
    replayed += 1;
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  assert.equal(replayed, files.length);
  assert.deepEqual(failures, []);
});
