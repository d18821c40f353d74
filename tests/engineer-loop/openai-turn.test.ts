import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { ChatStandIn } from '../providers/chat-stand-in';
import { beginLoop, type LoopFixture, loopFixture, loopSteps } from './loop-fixture';

/**
 * What the loop sends an OpenAI-compatible server, checked on a stand-in that records requests (the real model
 * cannot show us its request body, nor be made to answer with a native tool call: it rarely picks one).
 */
void describe('the openai turn model against a recording stand-in', () => {
  let standIn: ChatStandIn;
  let fixture: LoopFixture;
  let replies: { content: string | null; toolCalls?: { id: string; name: string; arguments: string }[] }[] = [];
  before(async () => {
    standIn = await new ChatStandIn(() => replies.shift() ?? { content: '{"tool": "list_files"}' }).start();
  });
  after(() => standIn.stop());
  beforeEach(async () => {
    fixture = await loopFixture();
    standIn.requests.length = 0;
  });
  afterEach(() => fixture.remove());

  const env = (extra: Record<string, string>): Record<string, string> => ({
    AGENT_PROVIDER_ENGINEER: 'openai',
    OPENAI_BASE_URL: standIn.baseUrl,
    OPENAI_MODEL: 'stand-in',
    OPENAI_MAX_TOKENS: '300',
    RUN_MODEL_CODE: 'true',
    ...extra,
  });

  void test('json: one action per reply, constrained by a schema of the offered tools with bounded strings', async () => {
    replies = [{ content: '{"tool": "read_file", "path": "docs/PRD.md"}' }];
    const steps = loopSteps(env({}));
    const begun = await beginLoop(steps, fixture);
    const turn = await steps.engineerModelTurn({ sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn: 1, transcript: begun.transcript, withholdDone: true });
    assert.deepEqual(turn.action, { tool: 'read_file', path: 'docs/PRD.md', summary: 'read docs/PRD.md' });
    assert.equal(turn.usage?.requests, 1);
    const body = standIn.requests[0]!.body as { max_tokens?: number; tools?: unknown; response_format?: { type: string; json_schema?: { schema: { anyOf: { properties: Record<string, { enum?: string[]; maxLength?: number }> }[] } } } };
    assert.equal(body.max_tokens, 300);
    assert.equal(body.tools, undefined);
    assert.equal(body.response_format?.type, 'json_schema');
    const variants = body.response_format.json_schema!.schema.anyOf;
    assert.deepEqual(variants.map((variant) => variant.properties.tool?.enum?.[0]), ['list_files', 'read_file', 'write_file', 'replace_span', 'run_command', 'run_tests'], 'done withheld');
    assert.equal(variants.find((variant) => variant.properties.tool?.enum?.[0] === 'write_file')?.properties.content?.maxLength, 600, 'content fits the reply limit');
    const tool = await steps.engineerTool({ sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1, turn: 1, actionRef: turn.actionRef });
    assert.match(tool.summary, /^turn 1: read docs\/PRD\.md → \d+ bytes$/);
  });

  void test('tools: native tool calls with tool_choice required, and the result answers the call by id', async () => {
    replies = [{ content: null, toolCalls: [{ id: 'call_7', name: 'list_files', arguments: '{}' }] }, { content: null, toolCalls: [{ id: 'call_8', name: 'run_tests', arguments: '{}' }] }];
    const steps = loopSteps(env({ AGENT_ACTION_FORMAT: 'tools' }));
    const begun = await beginLoop(steps, fixture);
    const position = { sessionId: fixture.input.sessionId, workDir: fixture.workDir, iteration: 1 };
    const turn = await steps.engineerModelTurn({ ...position, turn: 1, transcript: begun.transcript, withholdDone: false });
    assert.equal(turn.action.tool, 'list_files');
    const first = standIn.requests[0]!.body as { tool_choice?: string; tools?: { function: { name: string } }[]; response_format?: unknown };
    assert.equal(first.tool_choice, 'required');
    assert.equal(first.response_format, undefined);
    assert.ok(first.tools?.some((tool) => tool.function.name === 'done'), 'done offered when not withheld');
    const tool = await steps.engineerTool({ ...position, turn: 1, actionRef: turn.actionRef });
    await steps.engineerModelTurn({ ...position, turn: 2, transcript: tool.transcript, withholdDone: false });
    const messages = standIn.requests[1]!.body.messages!;
    assert.equal(messages.at(-2)?.tool_calls?.[0]?.id, 'call_7');
    assert.equal(messages.at(-1)?.role, 'tool');
    assert.equal(messages.at(-1)?.tool_call_id, 'call_7');
    assert.match(messages.at(-1)?.content ?? '', /package\.json/);
  });
});
