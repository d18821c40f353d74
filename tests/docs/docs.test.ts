import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { anchors, firstCells, namesDefinedBy, relativeLinks } from './markdown';
import { settingsReadByCode } from './settings-in-code';

/** The repository: this file runs from dist/tests/docs/. */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const SETTINGS = 'docs/settings.md';
/** Written by `npm run bench`, not by hand. */
const GENERATED = new Set(['docs/benchmarks.md']);

async function pages(): Promise<string[]> {
  const docs = (await readdir(path.join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
  return ['README.md', ...docs.sort()];
}

const read = (page: string): Promise<string> => readFile(path.join(ROOT, page), 'utf8');

void describe('the documentation against the code', () => {
  let inCode: Map<string, string>;
  before(async () => {
    inCode = await settingsReadByCode(ROOT);
  });

  void test('the code is seen to read its settings (the scan itself works)', () => {
    for (const name of ['TEMPORAL_ADDRESS', 'API_TOKEN', 'DASHBOARD_POLL_MS', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'LOG_LEVEL', 'PYTEST_VENV', 'POSTGRES_PASSWORD']) {
      assert.ok(inCode.has(name), `${name} should be found in the source`);
    }
    assert.ok(!inCode.has('PATH') && !inCode.has('GIT_DIR'), 'variables handed to child processes are not settings');
  });

  void test('every setting the code reads is exactly one row of docs/settings.md, and every row is one the code reads', async () => {
    const rows = new Map<string, number>();
    for (const cell of firstCells(await read(SETTINGS))) {
      const names = namesDefinedBy(cell);
      if (names.length === 0) continue;
      assert.equal(names.length, 1, `one setting per row in ${SETTINGS}: ${cell}`);
      rows.set(names[0]!, (rows.get(names[0]!) ?? 0) + 1);
    }
    const missing = [...inCode].filter(([name]) => !rows.has(name)).map(([name, file]) => `${name} (read in ${file})`);
    assert.deepEqual(missing, [], `settings the code reads that ${SETTINGS} does not define`);
    const twice = [...rows].filter(([, count]) => count > 1).map(([name]) => name);
    assert.deepEqual(twice, [], `settings defined more than once in ${SETTINGS}`);
    const stale = [...rows.keys()].filter((name) => !inCode.has(name));
    assert.deepEqual(stale, [], `rows of ${SETTINGS} that nothing reads`);
  });

  void test('no other page defines a setting in a table row; the README names only real ones', async () => {
    const repeated: string[] = [];
    for (const page of await pages()) {
      if (page === SETTINGS || GENERATED.has(page)) continue;
      for (const cell of firstCells(await read(page))) {
        for (const name of namesDefinedBy(cell)) {
          if (page === 'README.md') assert.ok(inCode.has(name), `README.md's settings table names ${name}, which nothing reads`);
          else if (inCode.has(name)) repeated.push(`${page}: ${name}`);
        }
      }
    }
    assert.deepEqual(repeated, [], `setting rows outside ${SETTINGS} (link to it instead)`);
  });

  void test('every relative link resolves to a file inside the repository, and its anchor to a heading', async () => {
    const broken: string[] = [];
    for (const page of await pages()) {
      for (const link of relativeLinks(await read(page))) {
        const [target = '', anchor] = link.split('#');
        const file = target === '' ? path.join(ROOT, page) : path.resolve(ROOT, path.dirname(page), decodeURI(target));
        const inside = path.relative(ROOT, file);
        if (target.startsWith('/') || inside.startsWith('..') || path.isAbsolute(inside)) broken.push(`${page}: ${link} leaves the repository`);
        else if (!existsSync(file)) broken.push(`${page}: ${link} (no such file)`);
        else if (anchor && file.endsWith('.md') && !anchors(await readFile(file, 'utf8')).has(anchor)) broken.push(`${page}: ${link} (no such heading)`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
