import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { currentScope } from '../../activities/activity-scope';
import { missingSections } from '../helpers/document-sections';
import { ChatClient } from '../../activities/providers/openai/chat-client';
import { SessionStatus } from '../../src/orchestration/orchestrator';
import { ARTIFACT_PATHS, type SessionEvent } from '../../workflows/definitions';
import { type ClaimedModelServer, claimModelServer, REAL_MODEL_TIMEOUT_MS, realModelEnv, TEST_MAX_TOKENS } from '../helpers/model-server';
import { agentHarness, readWorkFile } from './agent-harness';

// Against the real model: llama.cpp's server with SmolLM2-135M-Instruct, shared by the suite. These tests check
// the plumbing (requests, structured replies, documents, the scaffold, QA's report, token usage), never the
// quality of what a 135M model writes. Figures are printed, not asserted.

const PHASE_TIMEOUT_MS = 240_000;

function completed(events: readonly SessionEvent[], phase: string): Extract<SessionEvent, { kind: 'phase_completed' }>[] {
  return events.filter((event): event is Extract<SessionEvent, { kind: 'phase_completed' }> => event.kind === 'phase_completed' && event.phase === phase);
}

/** One line per phase run: its duration (from the audit trail) and its requests and tokens. */
function phaseFigures(events: readonly SessionEvent[]): string[] {
  const lines: string[] = [];
  for (const event of events) {
    if (event.kind === 'agent_turn' && event.usage) lines.push(`  engineer turn ${event.turn} (${event.tool}): ${event.usage.promptTokens} prompt + ${event.usage.completionTokens} completion tokens`);
    if (event.kind !== 'phase_completed') continue;
    const start = events.filter((e) => e.kind === 'phase_started' && e.phase === event.phase && Date.parse(e.at) <= Date.parse(event.at)).at(-1);
    const seconds = start ? (Date.parse(event.at) - Date.parse(start.at)) / 1000 : NaN;
    const usage = event.usage ? `${event.usage.requests} request(s), ${event.usage.promptTokens} prompt + ${event.usage.completionTokens} completion tokens` : 'no model call';
    lines.push(`${event.phase} (iteration ${event.iteration}) ${seconds.toFixed(1)} s, ${usage}`);
  }
  return lines;
}

void describe('a whole session with the real model behind the openai provider', { timeout: REAL_MODEL_TIMEOUT_MS }, () => {
  let model: ClaimedModelServer;
  before(async () => {
    model = await claimModelServer();
  }, { timeout: REAL_MODEL_TIMEOUT_MS });
  after(() => model.release());

  void test('the server answers a JSON-schema request with JSON that parses, and reports usage', { timeout: REAL_MODEL_TIMEOUT_MS }, async () => {
    const chat = new ChatClient({ baseUrl: model.baseUrl, model: model.model, responseFormat: 'json_schema', timeoutMs: 120_000, maxTokens: TEST_MAX_TOKENS });
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', minLength: 1, maxLength: 40 }, steps: { type: 'array', items: { type: 'string', maxLength: 60 }, minItems: 1, maxItems: 3 } },
      required: ['name', 'steps'],
      additionalProperties: false,
    };
    const started = Date.now();
    const reply = await chat.converse(
      { messages: [{ role: 'system', content: 'Reply with JSON only.' }, { role: 'user', content: 'Name a small command-line tool and its steps.' }], json: { name: 'tool', schema } },
      currentScope(),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`real model: ${reply.usage.completionTokens} completion tokens in ${seconds.toFixed(2)} s (${(reply.usage.completionTokens / seconds).toFixed(0)} tokens/s incl. ${reply.usage.promptTokens} prompt tokens)`);
    assert.equal(reply.finishReason, 'stop');
    const parsed = JSON.parse(reply.content ?? '') as { name: string; steps: string[] };
    assert.ok(parsed.name.length >= 1 && parsed.name.length <= 40, reply.content ?? '');
    assert.ok(parsed.steps.length >= 1 && parsed.steps.length <= 3);
    assert.ok(reply.usage.promptTokens > 0 && reply.usage.completionTokens > 0);
    assert.equal(reply.usage.model, model.model);
  });

  void test('the server renders offered tools into the prompt: its chat template supports native tool calls', { timeout: REAL_MODEL_TIMEOUT_MS }, async () => {
    const root = model.baseUrl.replace(/\/v1$/, '');
    const props = (await (await fetch(`${root}/props`)).json()) as { chat_template_caps?: { supports_tools?: boolean; supports_tool_calls?: boolean } };
    assert.equal(props.chat_template_caps?.supports_tools, true);
    assert.equal(props.chat_template_caps?.supports_tool_calls, true);
    const tools = [{ type: 'function', function: { name: 'write_file', description: 'Write a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } }];
    const messages = [
      { role: 'user', content: 'Write a.js.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'write_file', arguments: '{"path":"a.js"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'wrote a.js' },
    ];
    const response = await fetch(`${root}/apply-template`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages, tools }) });
    const { prompt } = (await response.json()) as { prompt: string };
    assert.match(prompt, /<tools>\n\{"type": "function", "function": \{"name": "write_file"/, 'the tool is offered');
    assert.match(prompt, /<tool_call>\n\{"name": "write_file", "arguments": \{"path": ?"a\.js"\}\}\n<\/tool_call>/, 'an earlier call is shown');
    assert.match(prompt, /<tool_response>\nwrote a\.js\n<\/tool_response>/, 'and its result');
  });

  void test('PM and Architect write every section, the session reaches review, then Engineer and QA run and QA reports', { timeout: REAL_MODEL_TIMEOUT_MS }, async () => {
    // Three Engineer turns at most: the loop's own real-model tests take it further; here it only has to run.
    const harness = await agentHarness(realModelEnv(model, { AGENT_MAX_TURNS: '3' }), { config: { maxIterations: 0 } });
    try {
      const started = Date.now();
      const id = await harness.orchestrator.startNewSession('Build a command-line tool that counts the words in a text file', 'wordcount');
      const review = await harness.waitFor(id, (info) => info.status !== SessionStatus.PENDING && info.status !== SessionStatus.RUNNING, PHASE_TIMEOUT_MS);
      const toReview = (Date.now() - started) / 1000;
      const logs = await harness.orchestrator.getRecentLogs(id, 200);
      assert.equal(review.status, SessionStatus.AWAITING_APPROVAL, logs);

      const prd = await readWorkFile(review.workDir, ARTIFACT_PATHS.prd);
      const spec = await readWorkFile(review.workDir, ARTIFACT_PATHS.tech_spec);
      assert.deepEqual(missingSections(prd, 'prd'), [], prd);
      assert.deepEqual(missingSections(spec, 'tech_spec'), [], spec);
      assert.match(prd, /Build a command-line tool that counts the words/, 'the mission verbatim');
      assert.match(await readWorkFile(review.workDir, ARTIFACT_PATHS.scaffold), /^#!\/usr\/bin\/env bash\n/);

      const atReview = (await harness.state(id)).events;
      for (const phase of ['pm', 'architect']) {
        const usage = completed(atReview, phase)[0]?.usage;
        assert.ok(usage && usage.requests >= 1 && usage.promptTokens > 0 && usage.completionTokens > 0, `${phase} usage: ${JSON.stringify(usage)}`);
        assert.equal(usage.model, model.model);
        assert.ok(usage.completionTokens <= usage.requests * TEST_MAX_TOKENS, 'no reply beyond the limit');
      }
      console.log(`real model: start to review in ${toReview.toFixed(1)} s`);

      await harness.orchestrator.approveAndContinue(id);
      const end = await harness.waitFor(id, (info) => [SessionStatus.COMPLETED, SessionStatus.FAILED].includes(info.status), 2 * PHASE_TIMEOUT_MS);
      const endLogs = await harness.orchestrator.getRecentLogs(id, 400);
      const events = (await harness.state(id)).events;
      assert.ok(completed(events, 'engineer').length >= 1, `the engineer ran to the end of its phase:\n${endLogs}`);
      assert.ok(completed(events, 'qa').length >= 1, `QA ran:\n${endLogs}`);
      const report = await readWorkFile(end.workDir, ARTIFACT_PATHS.bug_report);
      assert.match(report, /PASS|FAIL/, 'QA reports a result');
      assert.match(endLogs, /\[qa\] QA (passed|failed): /);
      assert.ok(existsSync(path.join(end.workDir, 'logs', 'scaffold.log')), 'the scaffold ran');
      const engineerTokens = events.reduce(
        (sum, event) => sum + ((event.kind === 'agent_turn' || event.kind === 'phase_completed') && event.phase === 'engineer' ? (event.usage?.completionTokens ?? 0) : 0),
        0,
      );
      assert.ok(engineerTokens > 0, 'the engineer asked the model');
      const engineerHasTotal = completed(events, 'engineer').some((event) => event.usage);
      const total = events.reduce(
        (sum, event) => sum + (event.kind === 'phase_completed' || (event.kind === 'agent_turn' && !engineerHasTotal) ? (event.usage?.totalTokens ?? 0) : 0),
        0,
      );
      for (const line of phaseFigures(events)) console.log(`real model: ${line}`);
      console.log(`real model: session ${end.status} (QA passed: ${end.qaPassed}) in ${((Date.now() - started) / 1000).toFixed(1)} s, ${total} tokens in all`);
    } finally {
      await harness.close();
    }
  });
});
