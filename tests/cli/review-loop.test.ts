import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { type CliResult, CliStack, parseJson } from './cli-harness';

interface Session {
  session_id: string;
  status: string;
  current_phase: string;
  iteration_count: number;
  project_name: string | null;
}

/** Piped output never carries the progress line's control characters. */
function assertPlain(result: CliResult): void {
  const output = result.stdout + result.stderr;
  assert.ok(!output.includes('\r') && !output.includes('\u001b'), 'no spinner or escape codes when stdout is not a terminal');
}

function ok(result: CliResult): CliResult {
  assert.equal(result.code, 0, `exit 0 expected:\n${result.stdout}\n${result.stderr}`);
  assertPlain(result);
  return result;
}

void describe('the orchestrator CLI binary against the real gateway, worker and Temporal', () => {
  let stack: CliStack;
  before(async () => {
    stack = await CliStack.start({ config: { maxActiveSessions: 10_000 } });
  });
  after(() => stack.close());

  void test('start → watch → review → reject → watch → approve → watch → completed, with artifacts, history, logs and list read back', async () => {
    const started = ok(await stack.run(['start', 'Build', 'a', 'URL', 'shortener', '--project', 'cli-loop']));
    const id = /Started (sess_\S+):/.exec(started.stdout)?.[1];
    assert.ok(id, started.stdout);
    assert.match(started.stdout, new RegExp(`orchestrator watch ${id}`), 'says what to do next');

    const watched = ok(await stack.run(['watch', id, '--interval', '100']));
    assert.match(watched.stdout, /awaiting_approval · review · iteration 0/);
    assert.match(watched.stdout, new RegExp(`orchestrator approve ${id}`), 'review ends the watch with the decision commands');

    const status = parseJson<Session>(ok(await stack.run(['status', id, '--json'])));
    assert.deepEqual(
      { id: status.session_id, status: status.status, phase: status.current_phase, project: status.project_name },
      { id, status: 'awaiting_approval', phase: 'review', project: 'cli-loop' },
    );
    const human = ok(await stack.run(['status', id]));
    assert.match(human.stdout, /^Mission\s+Build a URL shortener$/m);

    const listed = ok(await stack.run(['artifacts', id]));
    assert.match(listed.stdout, /^prd\s+\/.*docs\/PRD\.md$/m);
    assert.match(listed.stdout, /^bug_report\s+\(not yet\)$/m);
    const prd = ok(await stack.run(['artifacts', id, 'prd']));
    assert.match(prd.stdout, /URL shortener/);
    const missing = await stack.run(['artifacts', id, 'bug_report']);
    assert.equal(missing.code, 3, 'an artifact not produced yet is "not found"');

    const rejected = ok(await stack.run(['reject', id, '--feedback', 'Add rate limiting', '--to', 'pm', '--by', 'alice']));
    assert.match(rejected.stdout, /Rejected sess_\S+: back to pm \(running · pm · iteration 1\)/);
    const again = ok(await stack.run(['watch', id, '--interval', '100', '--json']));
    const changes = again.stdout.trim().split('\n').map((line) => JSON.parse(line) as Session);
    assert.equal(changes.at(-1)?.status, 'awaiting_approval', 'one JSON object per change (NDJSON), the last in review');
    assert.equal(changes.at(-1)?.iteration_count, 1);

    const approved = parseJson<Session>(ok(await stack.run(['approve', id, '--json', '--by', 'bob'])));
    assert.equal(approved.status, 'running');
    assert.equal(approved.current_phase, 'engineer');
    const finished = ok(await stack.run(['watch', id, '--interval', '100']));
    assert.match(finished.stdout, /completed · done · iteration 1/);

    const history = ok(await stack.run(['history', id]));
    assert.match(history.stdout, /reject → pm\s+by alice \(update\)\s+"Add rate limiting"/);
    assert.match(history.stdout, /approve\s+by bob \(update\)/);
    assert.match(history.stdout, /^\s+qa\s+#1/m);
    const trail = parseJson<{ decisions: unknown[] }>(ok(await stack.run(['history', id, '--json'])));
    assert.equal(trail.decisions.length, 2);

    const logs = ok(await stack.run(['logs', id, '-n', '3']));
    assert.equal(logs.stdout.trim().split('\n').length, 3);
    const page = parseJson<{ sessions: Session[] }>(ok(await stack.run(['list', '--project', 'cli-loop', '--status', 'completed', '--json'])));
    assert.deepEqual(page.sessions.map((s) => s.session_id), [id]);
    const table = ok(await stack.run(['list', '--project', 'cli-loop']));
    assert.match(table.stdout, /^SESSION\s+STATUS\s+PHASE\s+ITER\s+PROJECT\s+UPDATED\s+MISSION$/m);
    assert.match(table.stdout, new RegExp(`^${id}\\s+completed\\s+done\\s+1\\s+cli-loop\\s+.*Build a URL shortener$`, 'm'));
  });

  void test('logs --follow prints lines as they come and stops when the session ends; watch exits 7 on a cancelled session', async () => {
    const started = parseJson<Session>(ok(await stack.run(['start', 'Build a todo API', '--json'])));
    const id = started.session_id;
    ok(await stack.run(['watch', id, '--interval', '100']));
    const follow = stack.spawn(['logs', id, '--follow', '--interval', '100', '-n', '1']);
    for (let i = 0; i < 500 && !follow.output().includes('\n'); i += 1) await sleep(20);
    const cancelled = ok(await stack.run(['cancel', id]));
    assert.match(cancelled.stdout, /^Cancelled sess_/);
    const followed = ok(await follow.result);
    const lines = followed.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /\[review\] Awaiting human review/, 'the last line at the start');
    assert.match(lines.at(-1) ?? '', /Session cancelled/, 'then the lines written while following, until the session ended');
    assert.equal(new Set(lines).size, lines.length, 'no line printed twice');

    const watched = await stack.run(['watch', id]);
    assert.equal(watched.code, 7, 'watch on a cancelled session: ended unsuccessfully');
    assert.match(watched.stdout, /cancelled/);
  });
});
