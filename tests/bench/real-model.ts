/**
 * Benchmark: the bundled real model (llama.cpp's server, SmolLM2-135M-Instruct). Prints the server's start
 * time, generation speed, and the time and tokens of the PM and Architect through the openai provider at a
 * reply limit (default 384, the tests'; 1024 is what `npm run model:local` suggests). Not part of `npm test`.
 *   npm run build && node dist/tests/bench/real-model.js [maxTokens=384] [threads=2]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { currentScope } from '../../activities/activity-scope';
import { PhaseLog } from '../../activities/phase-log';
import { ChatClient } from '../../activities/providers/openai/chat-client';
import { OpenAiProvider } from '../../activities/providers/openai/openai-provider';
import type { AgentBrief, ProviderCall } from '../../activities/providers/types';
import { SessionWorkspace } from '../../activities/workspace';
import { installModel, startModelServer } from '../../src/model/model-server';

async function main(): Promise<void> {
  const maxTokens = Number(process.argv[2] ?? 384);
  const threads = Number(process.argv[3] ?? 2);
  await installModel();
  const spawned = performance.now();
  const server = await startModelServer({ threads });
  const ready = performance.now() - spawned;
  const base = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-bench-'));
  try {
    console.log(`load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')} on ${os.availableParallelism()} CPUs; ${threads} thread(s), reply limit ${maxTokens} tokens`);
    console.log(`server: spawn → listening ${(ready / 1000).toFixed(2)} s (the server's own figure: ${server.startSeconds} s)`);
    const chat = new ChatClient({ baseUrl: server.baseUrl, model: server.model, responseFormat: 'json_schema', timeoutMs: 300_000, maxTokens });
    const scope = currentScope();

    let tokens = 0;
    let seconds = 0;
    for (let i = 0; i < 3; i += 1) {
      const started = performance.now();
      const reply = await chat.converse({ messages: [{ role: 'user', content: `Write a short story about a lighthouse keeper, part ${i + 1}.` }], maxTokens: 256 }, scope);
      seconds += (performance.now() - started) / 1000;
      tokens += reply.usage.completionTokens;
    }
    console.log(`generation: ${tokens} completion tokens in ${seconds.toFixed(2)} s over 3 requests = ${(tokens / seconds).toFixed(0)} tokens/s (prompt processing included)`);

    const brief: AgentBrief = { sessionId: 'sess_bench', mission: 'Build a command-line tool that counts the words in a text file', projectName: 'wordcount', iteration: 0, feedback: [] };
    const workspace = SessionWorkspace.forSession({ sessionId: brief.sessionId, workDir: path.join(base, brief.sessionId) });
    const call: ProviderCall = { workspace, log: new PhaseLog(workspace, 'pm', scope), scope };
    const provider = new OpenAiProvider(chat);

    let started = performance.now();
    const prd = await provider.writePrd({ ...brief, previousPrd: null }, call);
    console.log(`PM: ${((performance.now() - started) / 1000).toFixed(1)} s, ${describe(prd.usage)}, PRD ${prd.value.length} characters`);
    started = performance.now();
    const design = await provider.writeDesign({ ...brief, prd: prd.value, previousSpec: null }, call);
    console.log(`Architect: ${((performance.now() - started) / 1000).toFixed(1)} s, ${describe(design.usage)}, spec ${design.value.techSpec.length} + scaffold ${design.value.scaffold.length} characters`);
  } finally {
    await server.stop();
    await rm(base, { recursive: true, force: true });
  }
}

function describe(usage: { requests: number; promptTokens: number; completionTokens: number } | undefined): string {
  return usage ? `${usage.requests} request(s), ${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens` : 'no usage';
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
