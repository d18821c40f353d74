/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createAgentDeps } from '../../activities/agents/agent-deps';
import { createQa } from '../../activities/agents/qa';
import { AgentFailureType } from '../../activities/failures';
import { resolveConfig } from '../../src/config';
import type { AgentInput } from '../../workflows/definitions';
import { GatewayHarness } from './gateway-harness';

const exec = promisify(execFile);
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const git = async (args: string[], cwd?: string): Promise<string> => (await exec('git', args, { env: GIT_ENV, ...(cwd ? { cwd } : {}) })).stdout;
/** A password in the push URL: it must appear nowhere the session leaves a trace. */
const SECRET = 's3cret-push-password-42';

void describe('GIT_PUSH_URL: a completed session pushes its history; credentials never show', () => {
  let gw: GatewayHarness;
  let remotes: string;

  before(async () => {
    remotes = await mkdtemp(path.join(os.tmpdir(), 'git-remotes-'));
    const qaWith = (gitPushUrl: string) => createQa(createAgentDeps(resolveConfig({ gitPushUrl })));
    const toBare = qaWith(`${remotes}/{project}-{session_id}.git`);
    // Port 9 on loopback (discard) is closed here: the push fails at once, as a host that is down would.
    const toDeadHost = qaWith(`https://robot:${SECRET}@127.0.0.1:9/{session_id}.git`);
    // A remote the test makes only once a push to it has failed: the push works on a later attempt.
    const toLateRemote = qaWith(`${remotes}/late-{session_id}.git`);
    gw = await GatewayHarness.start({
      activities: {
        qa: (input: AgentInput) => (input.userMission.includes('[dead remote]') ? toDeadHost(input) : input.userMission.includes('[late remote]') ? toLateRemote(input) : toBare(input)),
      },
      gateway: { requestTimeoutMs: 30_000, decisionTimeoutMs: 60_000 },
    });
  });
  after(async () => {
    await gw.close();
    await rm(remotes, { recursive: true, force: true });
  });

  async function approvedSession(mission: string, project: string | null): Promise<string> {
    const started = await gw.request('POST', '/sessions', { body: { user_mission: mission, project_name: project } });
    assert.equal(started.status, 201, started.text);
    const id = started.json.session_id as string;
    await gw.waitForStatus(id, 'awaiting_approval', 30_000);
    return id;
  }

  void test('QA passing pushes branch main and the decision tags to the bare repository the template names', async () => {
    const id = await approvedSession('Build a stopwatch', 'Timer Tools!');
    const bare = path.join(remotes, `timer-tools-${id}.git`);
    await git(['init', '--quiet', '--bare', bare]);
    assert.equal((await gw.request('POST', `/sessions/${id}/approve`, { body: { review_round: 1 } })).status, 200);
    await gw.waitForStatus(id, 'completed', 60_000);
    const pushed = (await git(['--git-dir', bare, 'log', '--format=%an %s', 'main'])).trim().split('\n');
    assert.deepEqual(pushed, ['qa: iteration 0, review round 1', 'engineer: iteration 0, review round 1', 'architect: iteration 0, review round 1', 'pm: iteration 0, review round 1'].map((s) => `${s.split(':')[0]} ${s}`));
    assert.equal((await git(['--git-dir', bare, 'tag', '-l'])).trim(), 'review-1-approved');
    const commits = await gw.request('GET', `/sessions/${id}/commits`);
    const newest = (commits.json.commits as { sha: string }[]).at(-1);
    assert.equal(newest?.sha, (await git(['--git-dir', bare, 'rev-parse', 'main'])).trim(), 'the remote has the session’s newest commit');
    const log = (await gw.request('GET', `/sessions/${id}/logs?lines=200`)).text;
    assert.match(log, /\[qa\] Pushed the session's history \(branch main and its tags\) to .*timer-tools-sess_/);
  });

  void test('a push retried after the remote came back finishes from QA’s verdict: the tests ran once', async () => {
    const id = await approvedSession('Build a kitchen timer [late remote]', null);
    assert.equal((await gw.request('POST', `/sessions/${id}/approve`, { body: { review_round: 1 } })).status, 200);
    await gw.waitFor(id, (s) => (s.last_error as { reason?: string } | null)?.reason === AgentFailureType.GIT_PUSH_FAILED, 60_000);
    const bare = path.join(remotes, `late-${id}.git`);
    await git(['init', '--quiet', '--bare', bare]);
    await gw.waitForStatus(id, 'completed', 60_000);
    const log = (await gw.request('GET', `/sessions/${id}/logs?lines=500`)).text;
    assert.equal(log.match(/\[qa\] QA passed: /g)?.length, 1, `the tests ran once:\n${log}`);
    assert.match(log, /\[qa\] QA passed in an earlier attempt \(.*\); finishing from that verdict without running the tests again/);
    assert.match(log, /\[qa\] Pushed the session's history/);
    assert.equal((await git(['--git-dir', bare, 'log', '-1', '--format=%s', 'main'])).trim(), 'qa: iteration 0, review round 1');
    const history = await gw.request('GET', `/sessions/${id}/history`);
    const qaRuns = (history.json.phases as { phase: string }[]).filter((run) => run.phase === 'qa');
    assert.equal(qaRuns.length, 1, 'one QA run in the audit trail');
  });

  void test('a push that fails is an environment fault, retried with the session running; the URL’s password appears nowhere', async () => {
    const id = await approvedSession('Build a metronome [dead remote]', null);
    assert.equal((await gw.request('POST', `/sessions/${id}/approve`, { body: { review_round: 1 } })).status, 200);
    const retrying = await gw.waitFor(id, (s) => (s.last_error as { reason?: string } | null)?.reason === AgentFailureType.GIT_PUSH_FAILED, 60_000);
    assert.equal(retrying.status, 'running', 'still running: the host may come back');
    assert.equal(retrying.current_phase, 'qa');
    const lastError = retrying.last_error as { message: string };
    assert.match(lastError.message, /pushing to GIT_PUSH_URL failed/);
    const { workDir } = await gw.orchestrator.getSessionStatus(id);
    const traces = [
      JSON.stringify(retrying),
      (await gw.request('GET', `/sessions/${id}/logs?lines=500`)).text,
      await readFile(path.join(workDir, 'logs', 'session.log'), 'utf8'),
      JSON.stringify((await gw.sessions.client.workflow.getHandle(id).fetchHistory()).events),
      await git(['--git-dir', path.join(path.dirname(workDir), '.git-dirs', `${id}.git`), 'config', '--list']),
    ];
    for (const trace of traces) assert.ok(!trace.includes(SECRET), `the password leaked: ${trace.slice(0, 300)}`);
    await gw.request('POST', `/sessions/${id}/cancel`);
  });
});
