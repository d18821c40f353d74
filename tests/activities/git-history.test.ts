import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { AgentFailureType, ENVIRONMENT_FAULT_TYPES } from '../../activities/failures';
import { gitDirOf, GitUnavailableError } from '../../activities/git/git-command';
import { gitFault } from '../../activities/git/phase-commit';
import { displayPushUrl, expandPushUrl } from '../../activities/git/session-push';
import { SessionRepo } from '../../activities/git/session-repo';
import { preflight } from '../../activities/preflight';
import { runChild } from '../../activities/runner/run-child';
import { resolveSandbox } from '../../activities/runner/sandbox';
import { ConfigError, resolveConfig } from '../../src/config';
import { redactCredentials } from '../../src/redaction';

const exec = promisify(execFile);

void describe('a session’s git repository', () => {
  let base: string;
  let workDir: string;
  let repo: SessionRepo;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'git-repo-test-'));
    workDir = path.join(base, 'sess_gitRepoTest');
    await mkdir(path.join(workDir, 'docs'), { recursive: true });
    repo = new SessionRepo(workDir);
    await repo.ensure();
  });
  after(() => rm(base, { recursive: true, force: true }));

  void test('the git directory is outside the work directory and the worker’s alone (0700)', async () => {
    assert.equal(repo.gitDir, path.join(base, '.git-dirs', 'sess_gitRepoTest.git'));
    assert.equal((await stat(path.dirname(repo.gitDir))).mode & 0o777, 0o700);
    await assert.rejects(stat(path.join(workDir, '.git')), /ENOENT/, 'nothing git-related in the work tree');
  });

  void test('a retried commit of the same activity adds none; one that wrote other files replaces it; the log stays out', async () => {
    await writeFile(path.join(workDir, 'docs', 'PRD.md'), 'one\n');
    await mkdir(path.join(workDir, 'logs'), { recursive: true });
    await writeFile(path.join(workDir, 'logs', 'session.log'), 'secret log\n');
    // Generated code may rewrite .gitignore to let the log in: it still stays out.
    await writeFile(path.join(workDir, '.gitignore'), '!logs/\n');
    const run = { phase: 'pm' as const, iteration: 0, reviewRound: 1, activity: '7/0' };
    const first = await repo.commitPhase(run);
    assert.equal(first.created, true);
    const again = await repo.commitPhase(run);
    assert.deepEqual(again, { sha: first.sha, created: false });
    await writeFile(path.join(workDir, 'docs', 'PRD.md'), 'two\n');
    const replaced = await repo.commitPhase(run);
    assert.equal(replaced.created, false);
    assert.notEqual(replaced.sha, first.sha);
    const commits = await repo.commits();
    assert.equal(commits.length, 1, 'still one commit for the activity');
    assert.equal(commits[0]?.activity, '7/0');
    const files = (await exec('git', ['--git-dir', repo.gitDir, 'ls-tree', '-r', '--name-only', 'main'])).stdout;
    assert.match(files, /docs\/PRD\.md/);
    assert.doesNotMatch(files, /logs\//);
    const next = await repo.commitPhase({ phase: 'architect', iteration: 0, reviewRound: 1, activity: '8/0' });
    assert.equal(next.created, true, 'another activity commits');
    assert.deepEqual(await repo.tagDecisions([{ round: 1, outcome: 'approved', message: 'ok' }]), ['review-1-approved']);
    assert.deepEqual(await repo.tagDecisions([{ round: 1, outcome: 'approved', message: 'ok' }]), [], 'tagged once');
    assert.deepEqual((await repo.commits())[0]?.tags, ['review-1-approved'], 'on the architect’s commit');
  });

  void test('generated code, sandboxed as the unprivileged user, can neither write nor read the git directory', async (t) => {
    const sandbox = await resolveSandbox('auto', 'nobody');
    if (sandbox.isolation !== 'bwrap' && sandbox.uid === undefined) return t.skip('children run as the worker’s own user here');
    t.diagnostic(`isolation ${sandbox.isolation} as ${sandbox.userName}`);
    const head = path.join(repo.gitDir, 'HEAD');
    const before = await readFile(head, 'utf8');
    const script = `echo 'ref: refs/heads/owned' > ${head} && echo wrote-head; ls ${repo.gitDir} && echo listed; git --git-dir=${repo.gitDir} log && echo read-log; true`;
    const result = await runChild({ command: 'sh', args: ['-c', script], workDir, timeoutMs: 20_000, outputLimitBytes: 65_536, sandbox });
    assert.doesNotMatch(result.output, /wrote-head|listed|read-log/, result.output);
    assert.equal(await readFile(head, 'utf8'), before);
  });
});

void describe('a session’s git repository while it is made', () => {
  let base: string;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'git-init-race-'));
  });
  after(() => rm(base, { recursive: true, force: true }));

  void test('a reader listing commits while the repository is made finds none, never a half-made repository', async () => {
    const failures: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const workDir = path.join(base, `sess_initRace${i}`);
      await mkdir(workDir, { recursive: true });
      const writer = new SessionRepo(workDir);
      const reader = new SessionRepo(workDir);
      let made = false;
      const making = writer.ensure().then(() => {
        made = true;
      });
      const read = async (): Promise<void> => {
        while (!made) {
          await reader.commits().then(
            (commits) => assert.deepEqual(commits, []),
            (err: unknown) => failures.push(String(err)),
          );
        }
      };
      await Promise.all([making, read(), read(), read(), read()]);
    }
    assert.deepEqual(failures, []);
  });

  void test('what a crash half-way through an older in-place `git init` left (a directory without HEAD) is made again', async () => {
    const workDir = path.join(base, 'sess_halfMade');
    await mkdir(workDir, { recursive: true });
    const repo = new SessionRepo(workDir);
    await mkdir(path.join(repo.gitDir, 'objects'), { recursive: true });
    assert.equal(await repo.exists(), false);
    await repo.ensure();
    assert.equal(await repo.exists(), true);
    assert.deepEqual(await repo.commits(), []);
    await writeFile(path.join(workDir, 'a.txt'), 'a\n');
    assert.equal((await repo.commitPhase({ phase: 'pm', iteration: 0, reviewRound: 1, activity: 'pm-1' })).created, true);
  });
});

void describe('git failures and settings', () => {
  void test('a missing git is an environment fault, and preflight names it', async () => {
    const fault = gitFault(new GitUnavailableError('git is not installed'));
    assert.ok(fault instanceof ApplicationFailure);
    assert.equal(fault.type, AgentFailureType.GIT_UNAVAILABLE);
    assert.equal(fault.nonRetryable, false);
    assert.ok(ENVIRONMENT_FAULT_TYPES.has(AgentFailureType.GIT_UNAVAILABLE));
    assert.ok(ENVIRONMENT_FAULT_TYPES.has(AgentFailureType.GIT_PUSH_FAILED));
    const base = await mkdtemp(path.join(os.tmpdir(), 'git-preflight-'));
    const savedPath = process.env.PATH;
    try {
      process.env.PATH = path.join(base, 'empty-bin');
      const problems = await preflight(resolveConfig({ workDirBase: base, sandbox: 'none' }));
      const git = problems.find((problem) => problem.check === 'git');
      assert.match(git?.message ?? '', /git is not installed/, JSON.stringify(problems));
      await assert.rejects(new SessionRepo(path.join(base, 'sess_noGit')).ensure(), GitUnavailableError);
    } finally {
      process.env.PATH = savedPath;
      await rm(base, { recursive: true, force: true });
    }
  });

  void test('GIT_PUSH_URL is validated at start-up and expanded per session', () => {
    for (const good of ['/srv/git/{project}/{session_id}.git', 'https://git.example.com/org/{session_id}.git', 'git@example.com:org/{project}.git', 'file:///tmp/x.git']) {
      assert.equal(resolveConfig({}, { GIT_PUSH_URL: good }).gitPushUrl, good);
    }
    for (const bad of ['--upload-pack=evil', 'relative/path.git', 'https://example.com/{sessionid}.git', 'https://a b']) {
      assert.throws(() => resolveConfig({}, { GIT_PUSH_URL: bad }), (err: unknown) => err instanceof ConfigError && /GIT_PUSH_URL/.test(err.message), bad);
    }
    assert.equal(expandPushUrl('/srv/{project}/{session_id}.git', 'sess_a', 'My App (v2)'), '/srv/my-app-v2/sess_a.git');
    assert.equal(expandPushUrl('/srv/{project}.git', 'sess_a', null), '/srv/project.git');
    assert.equal(displayPushUrl('https://robot:pw@host/x.git'), 'https://[redacted]@host/x.git');
    assert.equal(displayPushUrl('https://token123456@host/x.git'), 'https://[redacted]@host/x.git');
    assert.equal(redactCredentials("fatal: unable to access 'https://ghp_token_only_value@github.com/x.git'"), "fatal: unable to access 'https://[redacted]@github.com/x.git'");
    assert.equal(gitDirOf('/base/sess_x'), '/base/.git-dirs/sess_x.git');
  });
});
