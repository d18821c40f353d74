import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { TemplateTurnModel } from '../../activities/engineer-loop/template-model';
import { templateModule } from '../../activities/providers/template/project';
import { type LoopFixture, loopFixture, loopSteps, RecordingModel } from './loop-fixture';
import { LoopWorker } from './loop-worker';

const MB = 1024 * 1024;

void describe('the Engineer loop driven by a workflow on a real Temporal worker', () => {
  let fixture: LoopFixture;
  let worker: LoopWorker | null = null;
  beforeEach(async () => {
    fixture = await loopFixture('Build a unit converter');
  });
  afterEach(async () => {
    await worker?.stop();
    worker = null;
    await fixture.remove();
  });

  void test('template: each model call and each tool call is its own activity, and no content reaches the history', async (t) => {
    worker = await LoopWorker.start(loopSteps());
    const run = await worker.run(fixture.input);
    assert.equal(run.result.finished?.stoppedBy, 'done');
    assert.equal(run.result.finished?.turns, 3);
    assert.deepEqual(run.scheduled, [
      'engineerLoopBegin',
      ...['engineerModelTurn', 'engineerTool', 'engineerModelTurn', 'engineerTool', 'engineerModelTurn', 'engineerTool'],
      'engineerLoopFinish',
    ]);
    assert.match(run.result.summaries[1]!, /^turn 2: run npm test → exit 0, 3 passed, 0 failed$/);
    assert.equal(await fixture.read('src/index.js'), templateModule({ ...fixture.input, mission: fixture.input.userMission }));
    assert.match(run.historyJson, /turn-0002-tool\.json/, 'the history holds references (and the check decodes payloads)');
    assert.doesNotMatch(run.historyJson, /function describeMission|Product Requirements|You are the software engineer/, 'no file, document or prompt text');
    t.diagnostic(`history of a 3-turn loop: ${run.historyBytes} bytes, ${run.scheduled.length} activities`);
  });

  void test('a 30-turn loop (done withheld for 29) stays far under 2 MB of history', async (t) => {
    worker = await LoopWorker.start(loopSteps());
    const run = await worker.run({ ...fixture.input, turnLimit: 30, minTurns: 29 });
    assert.equal(run.result.finished?.turns, 30);
    assert.equal(run.result.finished?.stoppedBy, 'done');
    assert.equal(run.scheduled.filter((type) => type === 'engineerModelTurn').length, 30);
    assert.ok(run.historyBytes < 2 * MB, `history is ${run.historyBytes} bytes`);
    t.diagnostic(`history of a 30-turn loop: ${run.historyBytes} bytes (${(run.historyBytes / (2 * MB)).toFixed(3)} of the 2 MB bound)`);
  });

  void test('at the turn limit the phase ends normally with what was written, and the log says so', async () => {
    worker = await LoopWorker.start(loopSteps());
    const run = await worker.run({ ...fixture.input, turnLimit: 2, minTurns: 1 });
    assert.equal(run.result.finished?.stoppedBy, 'turn_limit');
    assert.deepEqual(run.result.finished?.artifacts.map((artifact) => artifact.path), ['src/index.js']);
    assert.match(await fixture.read('logs/session.log'), /\[engineer\] turn limit reached \(2 of 2 turns\)/);
  });

  void test('a step that fails after its work was done is retried by Temporal without asking the model or writing again', async () => {
    const model = new RecordingModel(new TemplateTurnModel());
    const real = loopSteps({}, { turnModel: model });
    const crashes: string[] = [];
    const crashAfter =
      <I, O>(name: string, step: (input: I) => Promise<O>) =>
      async (input: I): Promise<O> => {
        const output = await step(input);
        // The worker "dies" after the step's work and before Temporal recorded its completion.
        if (Context.current().info.attempt === 1) {
          crashes.push(name);
          throw new Error(`simulated crash after ${name}`);
        }
        return output;
      };
    worker = await LoopWorker.start({
      ...real,
      engineerModelTurn: crashAfter('engineerModelTurn', (input: Parameters<typeof real.engineerModelTurn>[0]) => real.engineerModelTurn(input)),
      engineerTool: crashAfter('engineerTool', (input: Parameters<typeof real.engineerTool>[0]) => real.engineerTool(input)),
    });
    const run = await worker.run(fixture.input);
    assert.equal(run.result.finished?.stoppedBy, 'done');
    assert.equal(crashes.length, 6, 'every model turn and tool step failed once');
    assert.equal(model.requests.length, 3, 'one model request per turn despite the retries');
    const log = await fixture.read('logs/session.log');
    assert.equal(log.match(/turn 1: write src\/index\.js/g)?.length, 1, 'one log line per step');
    assert.doesNotMatch(log, /unchanged/, 'the retried write returned its recorded result');
  });
});
