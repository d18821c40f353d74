import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { TemplateTurnModel } from '../../activities/engineer-loop/template-model';
import { templateModule } from '../../activities/providers/template/project';
import { beginLoop, type BegunLoop, type LoopFixture, loopFixture, loopSteps, RecordingModel } from './loop-fixture';

void describe('the Engineer loop steps on a real work directory', () => {
  let fixture: LoopFixture;
  beforeEach(async () => {
    fixture = await loopFixture();
  });
  afterEach(() => fixture.remove());

  void test('the template model writes the project through write_file, run_tests and done', async () => {
    const steps = loopSteps();
    const begun = await beginLoop(steps, fixture);
    assert.deepEqual([begun.turnLimit, begun.minTurns, begun.provider], [30, 1, 'template'], 'the defaults of AGENT_MAX_TURNS and AGENT_MIN_TURNS');
    assert.match(begun.transcript.path, /^logs\/agent\/iter-1\/turn-0000\.json$/);
    const opening = JSON.parse(await fixture.read(begun.transcript.path)) as { messages: { role: string; content: string }[] };
    assert.match(opening.messages[0]!.content, /replace_span: Edit one project file/, 'the system prompt describes the tools');
    assert.match(opening.messages[1]!.content, /PRD \(docs\/PRD\.md\)/);
    assert.match(await fixture.read('src/index.js'), /is not implemented yet/, 'the scaffold ran: the stub is there');

    const returned: unknown[] = [begun];
    const summaries: string[] = [];
    let transcript = begun.transcript;
    let done = false;
    let turn = 0;
    while (!done) {
      turn += 1;
      const position = { sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn };
      const model = await steps.engineerModelTurn({ ...position, transcript, withholdDone: turn <= begun.minTurns });
      const tool = await steps.engineerTool({ ...position, actionRef: model.actionRef });
      returned.push(model, tool);
      summaries.push(tool.summary);
      transcript = tool.transcript;
      done = tool.done;
    }
    assert.equal(turn, 3);
    assert.match(summaries[0]!, /^turn 1: write src\/index\.js → \d+ bytes/);
    assert.match(summaries[1]!, /^turn 2: run npm test → exit 0, 3 passed, 0 failed$/);
    assert.match(summaries[2]!, /^turn 3: done: /);
    assert.equal(await fixture.read('src/index.js'), templateModule({ ...fixture.input, mission: fixture.input.userMission }));

    const finished = await steps.engineerLoopFinish({ sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, transcript, turnLimit: 30 });
    assert.equal(finished.stoppedBy, 'done');
    assert.equal(finished.turns, 3);
    assert.deepEqual(finished.artifacts.map((artifact) => artifact.path), ['src/index.js']);
    const everything = JSON.stringify([...returned, finished]);
    assert.doesNotMatch(everything, /describeMission|Product Requirements/, 'no file content or prompt in any return value');
    const log = await fixture.read('logs/session.log');
    assert.match(log, /\[engineer\] turn 2: run npm test → exit 0, 3 passed, 0 failed/);
    assert.match(log, /\[engineer\] Wrote src\/index\.js .* with the template provider in 3 turn\(s\)/);
    assert.doesNotMatch(log, /turn limit reached/);
  });

  void test('a retried model turn returns its recorded action without asking the model again', async () => {
    const model = new RecordingModel(new TemplateTurnModel());
    const steps = loopSteps({}, { turnModel: model });
    const begun = await beginLoop(steps, fixture);
    const input = { sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn: 1, transcript: begun.transcript, withholdDone: true };
    const first = await steps.engineerModelTurn(input);
    const again = await steps.engineerModelTurn(input);
    assert.deepEqual(again, first);
    assert.equal(model.requests.length, 1, 'one request for one turn');
  });

  void test('a tool step retried after its write landed (but before its record) is a no-op', async () => {
    const steps = loopSteps();
    const begun = await beginLoop(steps, fixture);
    const position = { sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn: 1 };
    const model = await steps.engineerModelTurn({ ...position, transcript: begun.transcript, withholdDone: true });
    const first = await steps.engineerTool({ ...position, actionRef: model.actionRef });
    assert.match(first.summary, /write src\/index\.js → \d+ bytes/);
    const again = await steps.engineerTool({ ...position, actionRef: model.actionRef });
    assert.deepEqual(again, first, 'the recorded result comes back');
    await rm(path.join(fixture.workDir, first.transcript.path));
    const afterCrash = await steps.engineerTool({ ...position, actionRef: model.actionRef });
    assert.match(afterCrash.summary, /write src\/index\.js → unchanged/);
    assert.deepEqual(afterCrash.artifacts, first.artifacts);
  });

  void test('done is withheld for AGENT_MIN_TURNS turns, and stopping without done logs "turn limit reached"', async () => {
    const model = new RecordingModel(new TemplateTurnModel());
    const steps = loopSteps({ AGENT_MIN_TURNS: '4', AGENT_MAX_TURNS: '5' }, { turnModel: model });
    const begun = await beginLoop(steps, fixture);
    assert.deepEqual([begun.turnLimit, begun.minTurns], [5, 4]);
    let transcript = begun.transcript;
    const tools: string[] = [];
    for (let turn = 1; turn <= 4; turn += 1) {
      const position = { sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn };
      const turnResult = await steps.engineerModelTurn({ ...position, transcript, withholdDone: turn <= begun.minTurns });
      tools.push(turnResult.action.tool);
      transcript = (await steps.engineerTool({ ...position, actionRef: turnResult.actionRef })).transcript;
    }
    assert.deepEqual(tools, ['write_file', 'run_tests', 'list_files', 'list_files'], 'the template lists files while done is withheld');
    assert.ok(model.requests.every((request) => !request.tools.includes('done')));
    const finished = await steps.engineerLoopFinish({ sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, transcript, turnLimit: 4 });
    assert.equal(finished.stoppedBy, 'turn_limit');
    assert.match(await fixture.read('logs/session.log'), /\[engineer\] turn limit reached \(4 of 4 turns\)/);
  });

  void test('a transcript file changed after it was recorded is refused, not retried', async () => {
    const steps = loopSteps();
    const begun = await beginLoop(steps, fixture);
    const file = path.join(fixture.workDir, begun.transcript.path);
    await writeFile(file, (await readFile(file, 'utf8')).replace('software engineer', 'software saboteur'));
    await assert.rejects(
      steps.engineerModelTurn({ sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn: 1, transcript: begun.transcript, withholdDone: true }),
      (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable && /changed since it was recorded/.test(err.message),
    );
  });

  void test('after a QA failure the opening carries the bug report and the template runs the failing tests first', async () => {
    const report = '# Bug Report\n\n**Result:** FAIL (1 passed, 2 failed)\n';
    await writeFile(path.join(fixture.workDir, 'docs/BUG_REPORT.md'), report);
    const steps = loopSteps();
    const begun = (await steps.engineerLoopBegin({
      ...fixture.input,
      iteration: 2,
      bugReport: { name: 'bug_report', path: 'docs/BUG_REPORT.md', sha256: 'x', bytes: report.length },
    })) as BegunLoop;
    assert.match(begun.transcript.path, /iter-2\/turn-0000\.json$/);
    assert.match(await fixture.read(begun.transcript.path), /QA's bug report of the last attempt.*run the failing tests with run_tests/);
    const model = await steps.engineerModelTurn({ sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 2, turn: 1, transcript: begun.transcript, withholdDone: true });
    assert.equal(model.action.tool, 'run_tests');
    const tool = await steps.engineerTool({ sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 2, turn: 1, actionRef: model.actionRef });
    assert.match(tool.summary, /^turn 1: run npm test → exit 1, 0 passed, 3 failed$/, 'the stub fails its tests');
  });

  void test('an external agent command keeps the single-shot engineer', async () => {
    const steps = loopSteps({ AGENT_PROVIDER_ENGINEER: 'command', AGENT_COMMAND: 'true', RUN_MODEL_CODE: 'true', RUN_SANDBOX: 'none' });
    assert.deepEqual(await steps.engineerLoopBegin(fixture.input), { driver: 'single_shot' });
  });
});
