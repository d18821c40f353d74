import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { projectRoot } from '../../src/temporal/binaries';
import { resolvedCompose } from './compose-file';

interface Stage {
  name: string;
  lines: string[];
}

/** The Dockerfile's stages, each with its instructions (continuation lines joined). */
function stages(): Stage[] {
  const text = readFileSync(path.join(projectRoot(), 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const result: Stage[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) result.push({ name: from[1] ?? String(result.length), lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

void describe('Dockerfile (validated by reading, not built: no Docker engine here)', () => {
  const all = stages();
  const runtime = all.at(-1);
  const find = (stage: Stage | undefined, pattern: RegExp): string[] => stage?.lines.filter((line) => pattern.test(line)) ?? [];

  void test('multi-stage; the runtime stage runs as a non-root user with production dependencies only', () => {
    assert.ok(all.length >= 3, 'build, production dependencies, runtime');
    assert.ok(runtime);
    const user = find(runtime, /^USER\s/).at(-1);
    assert.ok(user && !/^USER\s+(root|0)(:|$)/.test(user), `runs as ${user}`);
    const modules = find(runtime, /^COPY --from=\S+ \/app\/node_modules/)[0];
    const fromStage = /--from=(\S+)/.exec(modules ?? '')?.[1];
    assert.ok(fromStage, 'node_modules come from another stage');
    assert.ok(find(all.find((s) => s.name === fromStage), /npm ci\b.*--omit=dev/).length === 1, `${fromStage} installs production dependencies only`);
    assert.equal(find(runtime, /npm (ci|install)/).length, 0, 'nothing is installed in the runtime stage itself');
  });

  void test('the workflow bundle is built at image build time and the worker is pointed at it', () => {
    const build = all.find((s) => find(s, /bundle-workflows\.js/).length > 0);
    assert.ok(build, 'a stage runs the bundle script');
    const out = /bundle-workflows\.js\s+(\S+)/.exec(find(build, /bundle-workflows\.js/)[0] ?? '')?.[1];
    const workdir = /^WORKDIR\s+(\S+)/.exec(find(build, /^WORKDIR/)[0] ?? '')?.[1];
    assert.ok(out && workdir);
    const bundlePath = path.posix.join(workdir, out);
    assert.ok(find(runtime, /^ENV\b/).some((line) => line.includes(`WORKFLOW_BUNDLE_PATH=${bundlePath}`)), `ENV WORKFLOW_BUNDLE_PATH=${bundlePath}`);
    assert.equal(resolvedCompose().services.worker?.environment?.WORKFLOW_BUNDLE_PATH, bundlePath, 'compose agrees');
    assert.ok(find(runtime, /^COPY --from=\S+ \/app\/dist/).length === 1, 'the runtime gets dist/ with the bundle');
  });

  void test('every COPY source exists, and .dockerignore keeps local builds, dependencies and secrets out', () => {
    for (const stage of all) {
      for (const line of find(stage, /^COPY\s/)) {
        if (line.includes('--from=')) continue;
        const sources = line.split(/\s+/).slice(1, -1).filter((part) => !part.startsWith('--'));
        for (const source of sources) assert.ok(existsSync(path.join(projectRoot(), source)), `${source} exists`);
      }
    }
    const ignored = readFileSync(path.join(projectRoot(), '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git', '.tools', 'tests', '.env']) assert.ok(ignored.includes(entry), `.dockerignore has ${entry}`);
  });
});
