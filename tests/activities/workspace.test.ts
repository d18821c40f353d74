import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sweepWorkDirs } from '../../src/background/work-dir-retention';
import { PathEscapeError, SessionWorkspace } from '../../activities/workspace';
import { ARTIFACT_PATHS } from '../../workflows/definitions';

void describe('SessionWorkspace: nothing is written outside the session directory', () => {
  let base: string;
  let outside: string;
  let workspace: SessionWorkspace;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'workspace-test-'));
    outside = path.join(base, 'outside');
    await mkdir(outside);
    workspace = SessionWorkspace.forSession({ sessionId: 'sess_workspaceTest1', workDir: path.join(base, 'sess_workspaceTest1') });
  });
  after(() => rm(base, { recursive: true, force: true }));

  void test('.., absolute and NUL paths are refused before touching the disk', async () => {
    for (const bad of ['../escape.txt', 'a/../../escape.txt', '/etc/passwd', '', 'a\0b']) {
      await assert.rejects(workspace.writeFile(bad, 'x'), PathEscapeError, bad);
    }
    assert.deepEqual(await readdir(outside), []);
  });

  void test('a symlinked directory leading outside is refused for writes, mkdir below it and reads', async () => {
    await mkdir(workspace.root, { recursive: true });
    await symlink(outside, path.join(workspace.root, 'linked'));
    await assert.rejects(workspace.writeFile('linked/owned.txt', 'x'), PathEscapeError);
    await assert.rejects(workspace.writeFile('linked/deeper/owned.txt', 'x'), PathEscapeError);
    await writeFile(path.join(outside, 'secret.txt'), 'secret');
    await assert.rejects(workspace.readText('linked/secret.txt'), PathEscapeError);
    assert.deepEqual((await readdir(outside)).sort(), ['secret.txt'], 'nothing was created outside');
  });

  void test('a symlinked file is replaced, not written through; a symlink read leading outside is refused', async () => {
    const target = path.join(outside, 'target.txt');
    await writeFile(target, 'untouched');
    await symlink(target, path.join(workspace.root, 'file-link.txt'));
    await assert.rejects(workspace.readText('file-link.txt'), PathEscapeError);
    await workspace.writeFile('file-link.txt', 'new content');
    assert.equal(await readFile(target, 'utf8'), 'untouched');
    assert.equal(await workspace.readText('file-link.txt'), 'new content');
  });

  void test('the session log is never appended through a symlink', async () => {
    const target = path.join(outside, 'fake.log');
    await writeFile(target, '');
    await mkdir(path.join(workspace.root, 'logs'), { recursive: true });
    await symlink(target, path.join(workspace.root, 'logs', 'session.log'));
    await assert.rejects(workspace.appendLog('pm', 'hello'), /ELOOP|symbolic link/);
    assert.equal(await readFile(target, 'utf8'), '');
    await rm(path.join(workspace.root, 'logs', 'session.log'));
  });

  void test('a work directory not named after its (well-formed) session id is refused', () => {
    assert.throws(() => SessionWorkspace.forSession({ sessionId: 'sess_a', workDir: path.join(base, 'sess_b') }), PathEscapeError);
    assert.throws(() => SessionWorkspace.forSession({ sessionId: '../x', workDir: path.join(base, '../x') }), PathEscapeError);
    assert.throws(() => SessionWorkspace.forSession({ sessionId: 'sess_a', workDir: 'relative/sess_a' }), PathEscapeError);
  });

  void test('rewriting a document keeps the earlier revision in docs/history, once, and leaves no temp files', async () => {
    await workspace.writeArtifact('prd', ARTIFACT_PATHS.prd, 'first');
    await workspace.writeArtifact('prd', ARTIFACT_PATHS.prd, 'first');
    await workspace.writeArtifact('prd', ARTIFACT_PATHS.prd, 'second');
    await workspace.writeArtifact('prd', ARTIFACT_PATHS.prd, 'second');
    const ref = await workspace.writeArtifact('prd', ARTIFACT_PATHS.prd, 'third');
    await workspace.writeArtifact('scaffold', ARTIFACT_PATHS.scaffold, '#!/bin/sh\n', 0o755);
    await workspace.writeArtifact('scaffold', ARTIFACT_PATHS.scaffold, '#!/bin/sh\necho 2\n', 0o755);
    assert.equal(ref.bytes, 5);
    assert.match(ref.sha256, /^[0-9a-f]{64}$/);
    const history = path.join(workspace.root, 'docs', 'history');
    assert.deepEqual((await readdir(history)).sort(), ['PRD.v1.md', 'PRD.v2.md', 'scaffold.v1.sh']);
    assert.equal(await readFile(path.join(history, 'PRD.v1.md'), 'utf8'), 'first');
    assert.equal(await readFile(path.join(history, 'PRD.v2.md'), 'utf8'), 'second');
    assert.equal(await workspace.readText(ARTIFACT_PATHS.prd), 'third');
    assert.deepEqual((await readdir(path.join(workspace.root, 'docs'))).filter((name) => name.endsWith('.tmp')), []);
  });

  void test('a retried attempt of the same activity replaces the document its dead attempt wrote; the next activity keeps it as a revision', async () => {
    const report = 'docs/BUG_REPORT.md';
    const qa = SessionWorkspace.forSession({ sessionId: 'sess_workspaceTest1', workDir: workspace.root });
    qa.writer = 'sess_workspaceTest1/7';
    await qa.writeArtifact('bug_report', report, 'PASS in 0.31 s (the attempt that was killed)');
    await qa.writeArtifact('bug_report', report, 'PASS in 0.29 s (its retry)');
    const history = path.join(workspace.root, 'docs', 'history');
    assert.deepEqual((await readdir(history)).filter((name) => name.startsWith('BUG_REPORT')), [], 'no revision of a dead attempt');
    const nextQa = SessionWorkspace.forSession({ sessionId: 'sess_workspaceTest1', workDir: workspace.root });
    nextQa.writer = 'sess_workspaceTest1/12';
    await nextQa.writeArtifact('bug_report', report, 'FAIL (the next iteration)');
    assert.deepEqual((await readdir(history)).filter((name) => name.startsWith('BUG_REPORT')), ['BUG_REPORT.v1.md']);
    assert.equal(await readFile(path.join(history, 'BUG_REPORT.v1.md'), 'utf8'), 'PASS in 0.29 s (its retry)');
  });

  void test('appendLog with an event id applies once', async () => {
    await workspace.appendLog('qa', 'only once', 'evt-1');
    await workspace.appendLog('qa', 'only once', 'evt-1');
    const log = await readFile(path.join(workspace.root, 'logs', 'session.log'), 'utf8');
    assert.equal(log.match(/only once/g)?.length, 1);
  });
});

void describe('work directory retention', () => {
  void test('removes finished sessions untouched past retention; keeps recent, running and foreign entries', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'retention-test-'));
    try {
      const old = Date.now() / 1000 - 40 * 86_400;
      for (const id of ['sess_oldDone', 'sess_oldRunning', 'sess_recent']) {
        await mkdir(path.join(base, id, 'logs'), { recursive: true });
        await writeFile(path.join(base, id, 'logs', 'session.log'), 'x\n');
        if (id !== 'sess_recent') {
          await utimes(path.join(base, id, 'logs', 'session.log'), old, old);
          await utimes(path.join(base, id), old, old);
        }
      }
      // Its git directory, and a repository an interrupted start left half made beside it.
      await mkdir(path.join(base, '.git-dirs', 'sess_oldDone.git'), { recursive: true });
      await mkdir(path.join(base, '.git-dirs', 'sess_oldDone.git.init-AbC123'));
      await mkdir(path.join(base, '.git-dirs', 'sess_recent.git'));
      await mkdir(path.join(base, 'not-a-session'));
      const outside = await mkdtemp(path.join(os.tmpdir(), 'retention-outside-'));
      await symlink(outside, path.join(base, 'sess_symlinked'));
      const report = await sweepWorkDirs({
        workDirBase: base,
        maxAgeMs: 30 * 86_400_000,
        isActive: (id) => Promise.resolve(id === 'sess_oldRunning'),
      });
      assert.deepEqual(report.removed, ['sess_oldDone']);
      assert.deepEqual((await readdir(base)).sort(), ['.git-dirs', 'not-a-session', 'sess_oldRunning', 'sess_recent', 'sess_symlinked']);
      assert.deepEqual(await readdir(path.join(base, '.git-dirs')), ['sess_recent.git'], 'the git directory and what a start left half made');
      assert.deepEqual(await readdir(outside), [], 'the symlink target is untouched');
      await rm(outside, { recursive: true, force: true });
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
