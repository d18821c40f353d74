/**
 * `npm run fixtures:record`: runs every replay scenario on a real dev server and saves each workflow history
 * under tests/fixtures/histories/ (only the named ones when names are given, so older fixtures keep guarding the
 * code they were recorded with). Record again only when a workflow change is meant to be incompatible with sessions
 * in flight (and then version the workflow instead, where sessions may be in flight in production).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { projectRoot } from '../../src/temporal/binaries';
import { runScenario, SCENARIOS } from './scenarios';

async function main(): Promise<void> {
  const dir = path.join(projectRoot(), 'tests', 'fixtures', 'histories');
  await mkdir(dir, { recursive: true });
  const only = process.argv.slice(2);
  for (const scenario of SCENARIOS.filter((candidate) => only.length === 0 || only.includes(candidate.name))) {
    const { harness, id } = await runScenario(scenario);
    try {
      const history = await harness.client.workflow.getHandle(id).fetchHistory();
      await writeFile(path.join(dir, `${scenario.name}.json`), `${historyToJSON(history)}\n`);
      console.log(`recorded ${scenario.name}: ${history.events?.length ?? 0} events`);
    } finally {
      await harness.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
