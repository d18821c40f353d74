import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { TranscriptRef } from '../../activities/engineer-loop';
import { TemplateTurnModel } from '../../activities/engineer-loop/template-model';
import { beginLoop, CannedModel, jsonReply, type LoopFixture, loopFixture, loopSteps, RecordingModel } from './loop-fixture';

void describe('the Engineer loop\'s actions: edits, repairs, commands (canned replies stand in for the model where a test needs a given reply)', () => {
  let fixture: LoopFixture;
  beforeEach(async () => {
    fixture = await loopFixture();
  });
  afterEach(() => fixture.remove());

  void test('replace_span edits once; an edit already applied is recognised on retry; a span that does not match once changes nothing', async () => {
    const canned = new CannedModel([
      jsonReply({ tool: 'replace_span', path: 'src/index.js', old_text: "'use strict';", new_text: "'use strict'; // edited" }),
      jsonReply({ tool: 'replace_span', path: 'src/index.js', old_text: 'notImplemented(', new_text: 'x(' }),
      jsonReply({ tool: 'replace_span', path: 'src/index.js', old_text: 'no such text', new_text: 'y' }),
    ]);
    const steps = loopSteps({}, { turnModel: canned });
    const begun = await beginLoop(steps, fixture);
    const stub = await fixture.read('src/index.js');
    let transcript: TranscriptRef = begun.transcript;
    const results = [];
    for (let turn = 1; turn <= 3; turn += 1) {
      const position = { sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn };
      const model = await steps.engineerModelTurn({ ...position, transcript, withholdDone: false });
      const tool = await steps.engineerTool({ ...position, actionRef: model.actionRef });
      if (turn === 1) {
        await rm(path.join(fixture.workDir, tool.transcript.path));
        const retried = await steps.engineerTool({ ...position, actionRef: model.actionRef });
        assert.match(retried.summary, /edit src\/index\.js → applied/);
      }
      results.push(tool.summary);
      transcript = (await steps.engineerTool({ ...position, actionRef: model.actionRef })).transcript;
    }
    assert.equal(await fixture.read('src/index.js'), stub.replace("'use strict';", "'use strict'; // edited"), 'edited exactly once');
    assert.match(results[1]!, /edit src\/index\.js → \d+ matches, not changed/);
    assert.match(results[2]!, /edit src\/index\.js → no match, not changed/);
  });

  void test('a malformed action gets one repair request quoting the error; a second one is a failed turn the model is told about', async () => {
    const canned = new CannedModel([
      jsonReply('I will now write the file.'),
      jsonReply({ tool: 'write_file', path: '../outside.js', content: 'x' }),
      jsonReply({ tool: 'write_file', path: 'docs/PRD.md', content: 'x' }),
      jsonReply({ tool: 'list_files' }),
    ]);
    const steps = loopSteps({}, { turnModel: canned });
    const begun = await beginLoop(steps, fixture);
    const position = { sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1 };
    const turn1 = await steps.engineerModelTurn({ ...position, turn: 1, transcript: begun.transcript, withholdDone: true });
    assert.equal(turn1.action.tool, 'invalid');
    assert.equal(canned.requests.length, 2, 'one request and one repair');
    const repairAsk = canned.requests[1]!.messages.at(-1)!;
    assert.equal(repairAsk.role, 'user');
    assert.match(repairAsk.role === 'user' ? repairAsk.content : '', /the reply is not JSON/);
    const tool1 = await steps.engineerTool({ ...position, turn: 1, actionRef: turn1.actionRef });
    assert.equal(tool1.summary, 'turn 1: invalid action, turn lost');
    assert.equal(tool1.done, false);

    const turn2 = await steps.engineerModelTurn({ ...position, turn: 2, transcript: tool1.transcript, withholdDone: true });
    assert.equal(turn2.action.tool, 'list_files', 'the repair after a reserved path succeeded');
    const told = canned.requests[2]!.messages.map((message) => ('content' in message ? message.content : '')).join('\n');
    assert.match(told, /must be a relative path of plain segments/, 'the next turn hears why the last one failed');
    assert.match(JSON.stringify(canned.requests[3]!.messages.at(-1)), /must not be under docs/);
  });

  void test('a reply cut at the token limit is repaired like a malformed one', async () => {
    const canned = new CannedModel([{ content: '{"tool": "write_file", "path": "src/index.js", "content": "abc', toolCalls: [], finishReason: 'length' }, jsonReply({ tool: 'run_tests' })]);
    const steps = loopSteps({}, { turnModel: canned });
    const begun = await beginLoop(steps, fixture);
    const turn = await steps.engineerModelTurn({ sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn: 1, transcript: begun.transcript, withholdDone: true });
    assert.equal(turn.action.tool, 'run_tests');
    assert.match(JSON.stringify(canned.requests[1]!.messages.at(-1)), /cut off at the token limit/);
  });

  void test('run_command runs in the sandbox and its exit and output go back to the model', async () => {
    const canned = new CannedModel([jsonReply({ tool: 'run_command', command: 'echo made-by-command > note.txt; cat note.txt; exit 3' })]);
    const steps = loopSteps({}, { turnModel: canned });
    const begun = await beginLoop(steps, fixture);
    const position = { sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn: 1 };
    const model = await steps.engineerModelTurn({ ...position, transcript: begun.transcript, withholdDone: true });
    const tool = await steps.engineerTool({ ...position, actionRef: model.actionRef });
    assert.match(tool.summary, /^turn 1: run echo made-by-command > note\.txt; cat note\.txt; exit 3 → exit 3$/);
    const record = JSON.parse(await fixture.read(tool.transcript.path)) as { messages: { content: string }[] };
    assert.match(record.messages[0]!.content, /exit 3 in [\d.]+ s\nmade-by-command/);
  });

});

void describe('native tool calls (AGENT_ACTION_FORMAT=tools)', () => {
  let fixture: LoopFixture;
  beforeEach(async () => {
    fixture = await loopFixture();
  });
  afterEach(() => fixture.remove());

  void test('each result answers its tool call by id, and the template still runs to done', async () => {
    const model = new RecordingModel(new TemplateTurnModel());
    const steps = loopSteps({ AGENT_ACTION_FORMAT: 'tools' }, { turnModel: model });
    const begun = await beginLoop(steps, fixture);
    let transcript = begun.transcript;
    let done = false;
    for (let turn = 1; !done && turn <= 5; turn += 1) {
      const position = { sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn };
      const turnResult = await steps.engineerModelTurn({ ...position, transcript, withholdDone: turn <= 1 });
      const tool = await steps.engineerTool({ ...position, actionRef: turnResult.actionRef });
      transcript = tool.transcript;
      done = tool.done;
    }
    assert.ok(done);
    assert.ok(model.requests.every((request) => request.format === 'tools'));
    const last = model.requests.at(-1)!.messages;
    const call = last.at(-2);
    const answer = last.at(-1);
    assert.equal(call?.role, 'assistant');
    assert.equal(answer?.role, 'tool');
    assert.equal(answer?.role === 'tool' ? answer.toolCallId : null, call?.role === 'assistant' ? call.toolCalls?.[0]?.id : undefined);
  });
});
