import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the stand-in received. */
export interface RecordedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: {
    model?: string;
    messages?: { role: string; content: string | null; tool_call_id?: string; tool_calls?: { id: string; function: { name: string; arguments: string } }[] }[];
    tools?: { type: string; function: { name: string } }[];
    tool_choice?: unknown;
    max_tokens?: number;
    response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema?: Record<string, unknown> } };
    [key: string]: unknown;
  };
}

/** What the stand-in answers: a reply's content, or a raw HTTP status and body. */
export type CannedReply =
  | { content: string | null; finishReason?: string; toolCalls?: { id: string; name: string; arguments: string }[] }
  | { status: number; body: unknown; headers?: Record<string, string> };

/**
 * A stand-in for an OpenAI-compatible chat-completions server, on 127.0.0.1 only. It is not a model: it
 * records every request (so tests check what we send) and answers from `reply(request)`, which returns
 * canned replies, malformed ones and HTTP errors as a test needs. It stands in for the one edge we do not
 * own, the LLM endpoint; Temporal stays real.
 */
export class ChatStandIn {
  readonly requests: RecordedRequest[] = [];
  private server: http.Server | null = null;

  /** `reply` may be a promise: a reply held back (or never sent) stands for a model still thinking. */
  constructor(private readonly reply: (request: RecordedRequest, index: number) => CannedReply | Promise<CannedReply>) {}

  /** The base URL to give OPENAI_BASE_URL. */
  baseUrl = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let body: RecordedRequest['body'] = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body'];
        } catch {
          // recorded as empty
        }
        const request: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body };
        this.requests.push(request);
        void Promise.resolve(this.reply(request, this.requests.length - 1)).then((canned) => {
          if (res.destroyed) return;
          if ('status' in canned) {
            res.writeHead(canned.status, { 'content-type': 'application/json', ...canned.headers });
            res.end(typeof canned.body === 'string' ? canned.body : JSON.stringify(canned.body));
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              id: `chatcmpl-standin-${this.requests.length}`,
              object: 'chat.completion',
              created: 0,
              model: body.model ?? 'unknown',
              choices: [
                {
                  index: 0,
                  message: {
                    role: 'assistant',
                    content: canned.content,
                    ...(canned.toolCalls
                      ? { tool_calls: canned.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) }
                      : {}),
                  },
                  finish_reason: canned.finishReason ?? (canned.toolCalls ? 'tool_calls' : 'stop'),
                },
              ],
              usage: { prompt_tokens: 100 + this.requests.length, completion_tokens: 20, total_tokens: 120 + this.requests.length },
            }),
          );
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Which role a request is for, read from its system prompt. */
  static roleOf(request: RecordedRequest): 'pm' | 'architect' | 'engineer' | 'qa' | 'unknown' {
    const system = request.body.messages?.find((message) => message.role === 'system')?.content ?? '';
    if (system.startsWith('You are the product manager')) return 'pm';
    if (system.startsWith('You are the software architect')) return 'architect';
    if (system.startsWith('You are the software engineer')) return 'engineer';
    if (system.startsWith('You are the QA engineer')) return 'qa';
    return 'unknown';
  }
}

/** The small project the stand-in "architect" lays out and the stand-in "engineer" completes. */
export const STAND_IN_FILES = [
  { path: 'package.json', purpose: 'the manifest; npm test runs node --test', content: '{"name":"adder","version":"1.0.0","private":true,"scripts":{"test":"node --test test/"}}\n' },
  {
    path: 'test/add.test.js',
    purpose: 'the tests of add',
    content: "const test = require('node:test');\nconst assert = require('node:assert/strict');\nconst { add } = require('../src/add.js');\ntest('adds two numbers', () => assert.equal(add(2, 3), 5));\n",
  },
];

export const STAND_IN_DESIGN = JSON.stringify({
  test_command: 'npm test',
  overview: 'An adder.',
  interfaces: '`src/add.js` exports `add(a, b)`.',
  test_plan: 'One node:test test.',
  files: STAND_IN_FILES,
  feedback_response: '',
});

export const STAND_IN_CODE = JSON.stringify({ files: [{ path: 'src/add.js', content: 'exports.add = (a, b) => a + b;\n' }], notes: 'Implemented add.' });

/** Well-formed replies for every role. */
export function happyReply(request: RecordedRequest): CannedReply {
  switch (ChatStandIn.roleOf(request)) {
    case 'pm':
      return { content: JSON.stringify({ title: 'Adder', goals: ['Add numbers.'], requirements: ['Add two numbers.'], acceptance_criteria: ['2 + 3 is 5.'], feedback_response: '' }) };
    case 'architect':
      return { content: STAND_IN_DESIGN };
    case 'engineer':
      return request.body.response_format?.json_schema?.name === 'engineer_action' ? loopEngineerReply(request) : { content: STAND_IN_CODE };
    default:
      return { content: JSON.stringify({ notes: ['Check the add function.'] }) };
  }
}

/** The Engineer loop's actions: write the stand-in code on the first turn, then say it is done. */
function loopEngineerReply(request: RecordedRequest): CannedReply {
  const turnsSoFar = request.body.messages?.filter((message) => message.role === 'assistant').length ?? 0;
  return turnsSoFar === 0
    ? { content: JSON.stringify({ tool: 'write_file', path: 'src/add.js', content: 'exports.add = (a, b) => a + b;\n' }) }
    : { content: JSON.stringify({ tool: 'done', summary: 'Implemented add.' }) };
}
