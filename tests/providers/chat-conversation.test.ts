import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { currentScope } from '../../activities/activity-scope';
import { ChatClient, type ChatMessage } from '../../activities/providers/openai/chat-client';
import { type CannedReply, ChatStandIn, type RecordedRequest } from './chat-stand-in';

// What this fakes: the model's choices. The stand-in answers with a native tool call, a cut-off reply or an
// HTTP error on demand, which the small real model does not do reliably (it rarely picks a tool on its own).
// The wire format both ways is the chat-completions API the real server speaks.

void describe('ChatClient.converse: one request of a multi-turn conversation', () => {
  let standIn: ChatStandIn;
  let reply: (request: RecordedRequest) => CannedReply = () => ({ content: 'hello' });
  before(async () => {
    standIn = await new ChatStandIn((request) => reply(request)).start();
  });
  after(() => standIn.stop());

  function client(maxTokens = 4096): ChatClient {
    return new ChatClient({ baseUrl: standIn.baseUrl, model: 'm', responseFormat: 'json_schema', timeoutMs: 5_000, maxTokens });
  }

  const tools = [{ name: 'write_file', description: 'Write a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];

  void test('sends the whole conversation with tools, and returns the tool calls, finish reason and usage', async () => {
    reply = () => ({ content: null, toolCalls: [{ id: 'call-2', name: 'write_file', arguments: '{"path":"b.js"}' }] });
    standIn.requests.length = 0;
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are an engineer.' },
      { role: 'user', content: 'Write a.js and b.js.' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'call-1', name: 'write_file', arguments: '{"path":"a.js"}' }] },
      { role: 'tool', toolCallId: 'call-1', content: 'wrote a.js' },
    ];
    const answer = await client().converse({ messages, tools, maxTokens: 300 }, currentScope());
    assert.deepEqual(answer.toolCalls, [{ id: 'call-2', name: 'write_file', arguments: '{"path":"b.js"}' }]);
    assert.equal(answer.finishReason, 'tool_calls');
    assert.equal(answer.content, null);
    assert.deepEqual(answer.usage, { promptTokens: 101, completionTokens: 20, totalTokens: 121, requests: 1, model: 'm' });

    const body = standIn.requests[0]!.body;
    assert.deepEqual(body.messages?.map((message) => message.role), ['system', 'user', 'assistant', 'tool']);
    assert.equal(body.messages?.[2]?.tool_calls?.[0]?.function.arguments, '{"path":"a.js"}');
    assert.equal(body.messages?.[3]?.tool_call_id, 'call-1');
    assert.equal(body.tools?.[0]?.function.name, 'write_file');
    assert.equal(body.tool_choice, 'auto');
    assert.equal(body.max_tokens, 300);
    assert.equal(body.response_format, undefined);
  });

  void test('a JSON schema goes as a strict response_format; OPENAI_MAX_TOKENS caps the request limit', async () => {
    reply = () => ({ content: '{"a":"x"}' });
    standIn.requests.length = 0;
    const schema = { type: 'object', properties: { a: { type: 'string', maxLength: 10 } }, required: ['a'], additionalProperties: false };
    const answer = await client(64).converse({ messages: [{ role: 'user', content: 'JSON please' }], json: { name: 'thing', schema }, maxTokens: 999 }, currentScope());
    assert.equal(answer.content, '{"a":"x"}');
    const body = standIn.requests[0]!.body;
    assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'thing', schema, strict: true } });
    assert.equal(body.max_tokens, 64);
    assert.equal(body.tools, undefined);
    await client(64).converse({ messages: [{ role: 'user', content: 'x' }], maxTokens: 32 }, currentScope());
    assert.equal(standIn.requests[1]!.body.max_tokens, 32, 'a request may ask for fewer');
  });

  void test('a cut-off reply is returned as it is, for the caller to repair', async () => {
    reply = () => ({ content: '{"a": "unfinish', finishReason: 'length' });
    const answer = await client().converse({ messages: [{ role: 'user', content: 'x' }] }, currentScope());
    assert.equal(answer.finishReason, 'length');
    assert.equal(answer.content, '{"a": "unfinish');
  });

  void test('failures keep their classification: 503 and 429 retryable, 400 not', async () => {
    const cases: [number, string, boolean][] = [
      [503, 'ProviderUnavailable', false],
      [429, 'ProviderRateLimited', false],
      [400, 'ProviderRequestRejected', true],
    ];
    for (const [status, type, nonRetryable] of cases) {
      reply = () => ({ status, body: { error: { message: `status ${status}` } } });
      await assert.rejects(client().converse({ messages: [{ role: 'user', content: 'x' }] }, currentScope()), (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, type);
        assert.equal(err.nonRetryable, nonRetryable, `${status}`);
        return true;
      });
    }
  });
});
