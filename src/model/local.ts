/**
 * `npm run model:local`: install (pinned, into .tools/model) and start the small bundled model server the tests
 * use, and print the settings that point the orchestrator at it. Options: --port N (default 8090, 0 for any free
 * port), --threads N (default: the CPU count, at most 4), --host H (default 127.0.0.1). Ctrl-C stops it.
 */
import os from 'node:os';
import { installModel, startModelServer } from './model-server';

/** The reply limit suggested for the bundled model: room for every structured reply, ~10 s each on 2 cores. */
const SUGGESTED_MAX_TOKENS = 1024;

interface LocalOptions {
  host: string;
  port: number;
  threads: number;
}

function parseOptions(argv: readonly string[]): LocalOptions {
  const options: LocalOptions = { host: '127.0.0.1', port: 8090, threads: Math.min(4, Math.max(1, os.availableParallelism())) };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--host') options.host = value;
    else if (flag === '--port' || flag === '--threads') {
      const n = Number(value);
      const [min, max] = flag === '--port' ? [0, 65535] : [1, 256];
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}`);
      if (flag === '--port') options.port = n;
      else options.threads = n;
    } else throw new Error(`unknown option ${flag} (use --port N, --threads N, --host H)`);
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  await installModel();
  const server = await startModelServer({ ...options, startTimeoutMs: 120_000 });
  const settings = {
    AGENT_PROVIDER: 'openai',
    OPENAI_BASE_URL: server.baseUrl,
    OPENAI_MODEL: server.model,
    OPENAI_MAX_TOKENS: String(SUGGESTED_MAX_TOKENS),
    RUN_MODEL_CODE: 'true',
  };
  console.log(
    [
      '',
      `The bundled model is listening on ${server.baseUrl} (llama.cpp's OpenAI-compatible server, SmolLM2-135M-Instruct,`,
      `${options.threads} thread(s); ready in ${server.startSeconds} s).`,
      '',
      'Point the orchestrator at it, in another terminal:',
      '',
      ...Object.entries(settings).map(([name, value]) => `  export ${name}=${value}`),
      '  npm start',
      '',
      'Then start a session (dashboard on http://127.0.0.1:8080/, or `npx orchestrator start "<mission>"`).',
      '',
      'Be warned: a 135M-parameter model writes poor code. It fills in every section of the PRD and the spec and a',
      'scaffold that runs, but its code rarely passes its own tests, so expect QA to fail. It is here so you can see a',
      'real model drive a session with no account; for real work use a bigger model (docs/agents-and-providers.md).',
      'RUN_MODEL_CODE=true lets QA run what the model wrote, in the sandbox (bubblewrap where available).',
      '',
      'Ctrl-C stops the server.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
}

main().catch((err: unknown) => {
  console.error(`model:local: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
