/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createActivities } from '../../activities';
import { gitDirOf } from '../../activities/git/git-command';
import type { AgentInput } from '../../workflows/definitions';
import { GatewayHarness } from './gateway-harness';

const exec = promisify(execFile);
/** git as a person runs it on the clone: no global or system configuration of this machine. */
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

async function git(args: string[], cwd?: string): Promise<string> {
  return (await exec('git', args, { env: GIT_ENV, ...(cwd ? { cwd } : {}) })).stdout;
}

interface Commit {
  sha: string;
  author: string;
  subject: string;
  phase: string;
  iteration: number;
  review_round: number;
  tags: string[];
}

void describe('git history: the work directory is a repository with a commit per phase run and a tag per decision', () => {
  let gw: GatewayHarness;
  let tmp: string;
  /** pm attempts made, by session: the first one throws after the real PM has committed. */
  const pmAttempts = new Map<string, number>();
  const real = createActivities();
  let releaseHeld: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (releaseHeld = resolve));

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'git-history-'));
    gw = await GatewayHarness.start({
      activities: {
        pm: async (input: AgentInput) => {
          if (input.userMission.includes('[held]')) await held;
          const result = await real.pm(input);
          const attempt = (pmAttempts.get(input.sessionId) ?? 0) + 1;
          pmAttempts.set(input.sessionId, attempt);
          if (input.userMission.includes('[flaky]') && attempt === 1) throw new Error('the worker died after the PM committed (injected)');
          return result;
        },
      },
      gateway: { requestTimeoutMs: 30_000, decisionTimeoutMs: 60_000 },
    });
  });
  after(async () => {
    releaseHeld();
    await gw.close();
    await rm(tmp, { recursive: true, force: true });
  });

  async function commitsOf(id: string): Promise<Commit[]> {
    const answer = await gw.request('GET', `/sessions/${id}/commits`);
    assert.equal(answer.status, 200, answer.text);
    return answer.json.commits as Commit[];
  }

  /** A session rejected once (back to the architect) and then approved, run to completion. */
  async function rejectedThenApproved(mission: string): Promise<string> {
    const started = await gw.request('POST', '/sessions', { body: { user_mission: mission, project_name: 'Git Demo' } });
    assert.equal(started.status, 201, started.text);
    const id = started.json.session_id as string;
    await gw.waitFor(id, (s) => s.status === 'awaiting_approval' && s.review_round === 1, 30_000);
    const rejected = await gw.request('POST', `/sessions/${id}/reject`, { body: { feedback: 'Add rate limiting', reject_to: 'architect', by: 'alice', review_round: 1 } });
    assert.equal(rejected.status, 200, rejected.text);
    await gw.waitFor(id, (s) => s.status === 'awaiting_approval' && s.review_round === 2, 30_000);
    const approved = await gw.request('POST', `/sessions/${id}/approve`, { body: { by: 'bob', review_round: 2 } });
    assert.equal(approved.status, 200, approved.text);
    await gw.waitForStatus(id, 'completed', 60_000);
    return id;
  }

  let done: string;
  void test('a rejected then approved session: commits by pm, architect, architect, engineer, qa with iteration and round; the decisions tagged', async () => {
    done = await rejectedThenApproved('Build a URL shortener');
    const commits = await commitsOf(done);
    assert.deepEqual(
      commits.map((c) => c.subject),
      [
        'pm: iteration 0, review round 1',
        'architect: iteration 0, review round 1',
        'architect: iteration 1, review round 2',
        'engineer: iteration 1, review round 2',
        'qa: iteration 1, review round 2',
      ],
    );
    assert.deepEqual(commits.map((c) => c.author), ['pm', 'architect', 'architect', 'engineer', 'qa']);
    assert.deepEqual(commits.map((c) => c.tags), [[], ['review-1-rejected'], ['review-2-approved'], [], []]);

    // The repository itself, read with git: outside the work directory, identities and trailers as committed.
    const { workDir } = await gw.orchestrator.getSessionStatus(done);
    const gitDir = gitDirOf(workDir);
    assert.ok(!gitDir.startsWith(workDir + path.sep), `${gitDir} is outside ${workDir}`);
    const log = await git(['--git-dir', gitDir, 'log', '--reverse', '--format=%an <%ae>|%cn|%(trailers:key=Session-Activity,valueonly,separator=)']);
    const lines = log.trim().split('\n');
    assert.equal(lines.length, 5, log);
    assert.match(lines[0]!, /^pm <pm@orchestrator\.invalid>\|pm\|\d+\/0$/);
    assert.match(lines[4]!, /^qa <qa@orchestrator\.invalid>\|qa\|\d+\/1$/);
    const tracked = (await git(['--git-dir', gitDir, 'ls-tree', '-r', '--name-only', 'main'])).split('\n');
    for (const file of ['.gitignore', 'docs/PRD.md', 'docs/TECH_SPEC.md', 'scaffold.sh', 'docs/BUG_REPORT.md']) assert.ok(tracked.includes(file), `${file} committed`);
    assert.ok(!tracked.some((file) => file.startsWith('logs/')), 'the log is never committed');
    assert.ok(!tracked.some((file) => file.includes('node_modules/')), 'dependencies are never committed');
    const rejection = await git(['--git-dir', gitDir, 'tag', '-l', '--format=%(contents)', 'review-1-rejected']);
    assert.match(rejection, /rejected by alice \(back to architect\)/);
    assert.match(rejection, /Add rate limiting/);
    const logText = (await gw.request('GET', `/sessions/${done}/logs?lines=200`)).text;
    assert.match(logText, /\[architect\] Committed [0-9a-f]{12} as architect \(iteration 1, review round 2\); tagged review-1-rejected/);
    assert.match(logText, /\[engineer\] Committed [0-9a-f]{12} as engineer \(iteration 1, review round 2\); tagged review-2-approved/);
  });

  void test('GET /diff: one commit alone, between two tags, and the newest commit by default', async () => {
    const commits = await commitsOf(done);
    const second = commits[2]!;
    const one = await gw.request('GET', `/sessions/${done}/diff?to=${second.sha}`);
    assert.equal(one.status, 200, one.text);
    assert.match(one.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(one.text, /^diff --git a\/docs\/TECH_SPEC\.md b\/docs\/TECH_SPEC\.md$/m, 'the second spec changed the spec');
    assert.doesNotMatch(one.text, /^diff --git a\/docs\/PRD\.md/m, 'and not the PRD');
    const between = await gw.request('GET', `/sessions/${done}/diff?from=review-1-rejected&to=review-2-approved`);
    assert.equal(between.status, 200);
    assert.equal(between.text, one.text, 'the tags are the two architect commits');
    const first = await gw.request('GET', `/sessions/${done}/diff?to=${commits[0]!.sha}`);
    assert.match(first.text, /^\+\+\+ b\/docs\/PRD\.md$/m, 'the first commit against the empty tree');
    const newest = await gw.request('GET', `/sessions/${done}/diff`);
    assert.match(newest.text, /docs\/BUG_REPORT\.md/, 'QA wrote the bug report');
    const range = await gw.request('GET', `/sessions/${done}/diff?from=main~4&to=main`);
    assert.equal(range.status, 200);
    assert.match(range.text, /TECH_SPEC\.md/);
  });

  void test('GET /diff refuses what is not a ref with 400, and answers 404 for an unknown ref or session', async () => {
    for (const bad of ['--output=/tmp/owned', '-p', 'a b', 'main:docs/PRD.md', 'HEAD@{1}', '.hidden', '$(id)', 'x'.repeat(201)]) {
      const answer = await gw.request('GET', `/sessions/${done}/diff?from=${encodeURIComponent(bad)}`);
      assert.equal(answer.status, 400, `${bad}: ${answer.text}`);
      assert.equal(answer.json.error.code, 'validation_error');
      const to = await gw.request('GET', `/sessions/${done}/diff?to=${encodeURIComponent(bad)}`);
      assert.equal(to.status, 400, `${bad}: ${to.text}`);
    }
    await assert.rejects(gw.orchestrator.git.diff(done, '--output=/tmp/owned', undefined), /not a ref/);
    const unknownRef = await gw.request('GET', `/sessions/${done}/diff?from=review-9-approved`);
    assert.equal(unknownRef.status, 404, unknownRef.text);
    assert.equal(unknownRef.json.error.code, 'ref_not_found');
    const range = await gw.request('GET', `/sessions/${done}/diff?from=${encodeURIComponent('main..main')}`);
    assert.equal(range.status, 404, 'a range is not one ref');
    const unknown = await gw.request('GET', '/sessions/sess_nobody/diff');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'session_not_found');
    const unknownBundle = await gw.request('GET', '/sessions/sess_nobody/bundle');
    assert.equal(unknownBundle.status, 404);
    const extra = await gw.request('GET', `/sessions/${done}/diff?path=docs`);
    assert.equal(extra.status, 400, 'unknown parameter');
  });

  void test('GET /bundle: `git clone session.bundle` gives the whole history with its tags', async () => {
    const response = await fetch(`${gw.baseUrl}/sessions/${done}/bundle`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    const file = path.join(tmp, 'session.bundle');
    await writeFile(file, Buffer.from(await response.arrayBuffer()));
    assert.match(await git(['bundle', 'list-heads', file], tmp), /refs\/tags\/review-2-approved/);
    await git(['clone', '--quiet', file, 'clone'], tmp);
    const clone = path.join(tmp, 'clone');
    const authors = (await git(['log', '--reverse', '--format=%an %s'], clone)).trim().split('\n');
    assert.deepEqual(authors, [
      'pm pm: iteration 0, review round 1',
      'architect architect: iteration 0, review round 1',
      'architect architect: iteration 1, review round 2',
      'engineer engineer: iteration 1, review round 2',
      'qa qa: iteration 1, review round 2',
    ]);
    assert.deepEqual((await git(['tag', '-l'], clone)).trim().split('\n'), ['review-1-rejected', 'review-2-approved']);
    const prd = await gw.request('GET', `/sessions/${done}/artifacts/prd`);
    assert.equal(await git(['show', 'HEAD:docs/PRD.md'], clone), prd.text, 'the clone has the files as the session left them');
  });

  void test('an attempt that dies after its commit is retried without a second commit', async () => {
    const started = await gw.request('POST', '/sessions', { body: { user_mission: 'Build a todo list [flaky]' } });
    const id = started.json.session_id as string;
    await gw.waitForStatus(id, 'awaiting_approval', 60_000);
    assert.equal(pmAttempts.get(id), 2, 'the PM ran twice');
    const commits = await commitsOf(id);
    assert.deepEqual(commits.map((c) => c.subject), ['pm: iteration 0, review round 1', 'architect: iteration 0, review round 1']);
    const logText = (await gw.request('GET', `/sessions/${id}/logs?lines=200`)).text;
    assert.equal(logText.match(/\[pm\] Committed/g)?.length, 1, logText);
    await gw.request('POST', `/sessions/${id}/cancel`);
  });

  void test('before the first phase finishes: /commits is empty, /diff and /bundle answer 409 no_history_yet', async () => {
    const started = await gw.request('POST', '/sessions', { body: { user_mission: 'Build a pager [held]' } });
    const id = started.json.session_id as string;
    await gw.waitForStatus(id, 'running');
    assert.deepEqual(await commitsOf(id), []);
    for (const what of ['diff', 'bundle']) {
      const answer = await gw.request('GET', `/sessions/${id}/${what}`);
      assert.equal(answer.status, 409, answer.text);
      assert.equal(answer.json.error.code, 'no_history_yet');
    }
    releaseHeld();
    await gw.request('POST', `/sessions/${id}/cancel`);
  });
});
