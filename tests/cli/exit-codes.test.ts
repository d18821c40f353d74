import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../helpers/free-port';
import { type CliResult, CliStack, parseJson, runCli } from './cli-harness';

const TOKEN = 'cli-test-token-0123456789';

function expectExit(result: CliResult, code: number, stderr: RegExp): void {
  assert.equal(result.code, code, `exit ${code} expected:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr, stderr);
  assert.equal(result.stdout, '', 'failures print nothing on stdout');
}

void describe('CLI exit codes and error output, against a gateway that requires a token', () => {
  let stack: CliStack;
  let reviewId: string;
  before(async () => {
    stack = await CliStack.start({ apiToken: TOKEN, config: { maxActiveSessions: 10_000 } });
    const started = await stack.run(['start', 'Build a calculator', '--json']);
    reviewId = parseJson<{ session_id: string }>(started).session_id;
    await stack.waitFor(reviewId, (s) => s.status === 'awaiting_approval');
  });
  after(() => stack.close());

  void test('--help lists every subcommand and documents the exit codes', async () => {
    const help = await stack.run(['--help']);
    assert.equal(help.code, 0);
    for (const command of ['start', 'status', 'list', 'approve', 'reject', 'cancel', 'artifacts', 'history', 'logs', 'watch']) {
      assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'), command);
    }
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7]) assert.match(help.stdout, new RegExp(`^  ${code}  \\S`, 'm'));
    assert.match(help.stdout, /ORCHESTRATOR_URL/);
    assert.match(help.stdout, /API_TOKEN/);
  });

  void test('2, bad input: usage errors and requests the gateway refuses as invalid', async () => {
    expectExit(await stack.run(['reject', reviewId]), 2, /required option '-f, --feedback <text>'/);
    expectExit(await stack.run(['list', '--limit', '0']), 2, /--limit <n>.*integer from 1 to 1000/);
    expectExit(await stack.run(['list', '--status', 'sleeping']), 2, /Allowed choices are pending, running/);
    expectExit(await stack.run(['reject', reviewId, '-f', 'x', '--to', 'qa']), 2, /Allowed choices are pm, architect/);
    expectExit(await stack.run(['frobnicate']), 2, /unknown command 'frobnicate'/);
    expectExit(await stack.run(['start', '   ']), 2, /user_mission must not be blank/);
    expectExit(await stack.run(['status', reviewId], { ORCHESTRATOR_URL: 'not a url' }), 2, /Not a URL/);
  });

  void test('3, not found; 4, invalid operation; with --json errors as JSON on stderr', async () => {
    expectExit(await stack.run(['status', 'sess_doesnotexist']), 3, /^error: .*sess_doesnotexist/);
    const json = await stack.run(['approve', 'sess_doesnotexist', '--json']);
    expectExit(json, 3, /^\{/);
    assert.deepEqual(JSON.parse(json.stderr), {
      error: { code: 'session_not_found', message: (JSON.parse(json.stderr) as { error: { message: string } }).error.message, exit_code: 3 },
    });

    const running = parseJson<{ session_id: string }>(await stack.run(['start', 'Build a clock', '--json']));
    await stack.waitFor(running.session_id, (s) => s.status === 'awaiting_approval');
    assert.equal((await stack.run(['cancel', running.session_id])).code, 0);
    expectExit(await stack.run(['cancel', running.session_id]), 4, /already|final|cancelled/i);
    expectExit(await stack.run(['approve', running.session_id]), 4, /not awaiting approval|awaiting/i);
  });

  void test('5, unreachable: nothing listens at the URL', async () => {
    const port = await freePort();
    const result = await runCli(['status', reviewId], { ...stack.env(), ORCHESTRATOR_URL: `http://127.0.0.1:${port}` });
    expectExit(result, 5, /Cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  void test('6, unauthorized: no token or the wrong one', async () => {
    expectExit(await stack.run(['status', reviewId], { API_TOKEN: '' }), 6, /Set API_TOKEN/);
    expectExit(await stack.run(['list'], { API_TOKEN: 'wrong-token-wrong-token' }), 6, /Set API_TOKEN/);
  });
});
