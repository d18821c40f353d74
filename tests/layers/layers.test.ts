import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import madge from 'madge';
import { projectRoot } from '../../src/temporal/binaries';
import { type Layer, LAYER_OF, LAYERS, TEMPORAL_CLIENT } from './layer-rules';

const ROOT = projectRoot();
const SCOPE = ['src', 'activities', 'workflows'];

/** Every file in scope and what it imports: type imports too, or only the imports that load code. */
function importGraph(values: 'all' | 'values only'): ReturnType<typeof madge> {
  return madge(
    SCOPE.map((dir) => path.join(ROOT, dir)),
    {
      baseDir: ROOT,
      fileExtensions: ['ts'],
      tsConfig: path.join(ROOT, 'tsconfig.json'),
      includeNpm: true,
      detectiveOptions: { ts: { skipTypeImports: values === 'values only' } },
    },
  );
}

/** Whether `file` is `rowPath` or lies in that folder. */
const covers = (rowPath: string, file: string): boolean => file === rowPath || file.startsWith(`${rowPath}/`);

/** The row of the table that places `file`: the longest path that is the file or a folder above it. */
function placeOf(file: string): { path: string; layer: Layer } | undefined {
  return LAYER_OF.filter((row) => covers(row.path, file)).sort((a, b) => b.path.length - a.path.length)[0];
}

/** Whether an import (as madge names it) is the Temporal client's package. */
const isClient = (target: string): boolean => target.startsWith(`node_modules/${TEMPORAL_CLIENT.package}/`);

void describe('layers: shared definitions and config → workflows → activities → plumbing → orchestration → interfaces → entry points', () => {
  let graph: Record<string, string[]> = {};
  let valueGraph: Record<string, string[]> = {};
  let circular: string[][] = [];

  before(async () => {
    const [all, values] = await Promise.all([importGraph('all'), importGraph('values only')]);
    [graph, valueGraph, circular] = [all.obj(), values.obj(), all.circular()];
  });

  void test('the check reads the whole tree: every layer has files, and every file has a layer', () => {
    const files = Object.keys(graph);
    assert.ok(files.length > 100, `madge found only ${files.length} files under ${SCOPE.join(', ')}`);
    assert.ok(graph['src/orchestration/orchestrator.ts']?.includes('workflows/definitions.ts'), 'the graph has the imports of orchestrator.ts');
    const unplaced = files.filter((file) => !placeOf(file));
    assert.deepEqual(unplaced, [], `files no row of tests/layers/layer-rules.ts places:\n${unplaced.join('\n')}`);
    for (const layer of LAYERS) assert.ok(files.some((file) => placeOf(file)?.layer === layer), `no file in the layer ${layer}`);
  });

  void test('no import goes up a layer', () => {
    const upward: string[] = [];
    for (const [file, imports] of Object.entries(graph)) {
      const from = placeOf(file);
      for (const target of imports) {
        const to = placeOf(target);
        if (!from || !to || LAYERS.indexOf(to.layer) <= LAYERS.indexOf(from.layer)) continue;
        upward.push(`${file} (${from.layer}) imports ${target} (${to.layer})`);
      }
    }
    assert.deepEqual(upward, [], `imports up a layer:\n${upward.join('\n')}`);
  });

  void test('no import goes round a cycle (type imports count)', () => {
    const found = circular.map((cycle) => [...cycle, cycle[0]].join(' → '));
    assert.deepEqual(found, [], `import cycles:\n${found.join('\n')}`);
  });

  void test(`only the Orchestrator and the plumbing it stands on load ${TEMPORAL_CLIENT.package}`, () => {
    const users = Object.entries(valueGraph).filter(([, imports]) => imports.some(isClient)).map(([file]) => file);
    assert.ok(users.some((file) => file.startsWith('src/orchestration/')), `the check sees the Orchestrator's imports of ${TEMPORAL_CLIENT.package}`);
    const others = users.filter((file) => !TEMPORAL_CLIENT.users.some((user) => covers(user.path, file))).map((file) => `${file} imports ${TEMPORAL_CLIENT.package}`);
    assert.deepEqual(others, [], `value imports of the Temporal client outside TEMPORAL_CLIENT.users:\n${others.join('\n')}`);
  });

  void test('every row of the tables is still needed', () => {
    const gone = [...LAYER_OF, ...TEMPORAL_CLIENT.users].filter((row) => !existsSync(path.join(ROOT, row.path))).map((row) => `${row.path} (no such file or folder)`);
    const idleUsers = TEMPORAL_CLIENT.users.filter(
      (user) => !Object.entries(valueGraph).some(([file, imports]) => covers(user.path, file) && imports.some(isClient)),
    );
    const unneeded = [...gone, ...idleUsers.map((u) => `${u.path} (loads nothing of the client)`)];
    assert.deepEqual(unneeded, [], `rows of tests/layers/layer-rules.ts nothing needs any more:\n${unneeded.join('\n')}`);
  });
});
