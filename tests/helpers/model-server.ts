import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { installModel, type ModelServer, startModelServer } from '../../src/model/model-server';

/** The suite's real model: llama.cpp's OpenAI-compatible server with SmolLM2-135M-Instruct. */
export interface SharedModelServer {
  baseUrl: string;
  model: string;
}

/** The reply limit the real-model tests run with: enough for every structured reply, small enough to be quick. */
export const TEST_MAX_TOKENS = 384;

const URL_ENV = 'ORCHESTRATOR_TEST_MODEL_URL';
const NAME_ENV = 'ORCHESTRATOR_TEST_MODEL_NAME';

/** Install the model if needed and start the suite's one server on a free loopback port. */
export async function startSuiteModelServer(unref = false): Promise<ModelServer> {
  await installModel();
  return startModelServer({ threads: 2, unref });
}

/** Export the shared model server to child processes (the suite runner does this). */
export function exportSharedModelServer(server: SharedModelServer): Record<string, string> {
  return { [URL_ENV]: server.baseUrl, [NAME_ENV]: server.model };
}

let standalone: Promise<SharedModelServer> | null = null;

/** The suite's shared model server or, when a test file runs on its own, one of this process's own. */
export function sharedModelServer(): Promise<SharedModelServer> {
  const baseUrl = process.env[URL_ENV];
  const model = process.env[NAME_ENV];
  if (baseUrl && model) return Promise.resolve({ baseUrl, model });
  standalone ??= startSuiteModelServer(true).then((server) => ({ baseUrl: server.baseUrl, model: server.model }));
  return standalone;
}

/** The settings that point the openai provider at the model, as a worker would read them, plus `extra`. */
export function realModelEnv(server: SharedModelServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AGENT_PROVIDER: 'openai',
    OPENAI_BASE_URL: server.baseUrl,
    OPENAI_MODEL: server.model,
    OPENAI_MAX_TOKENS: String(TEST_MAX_TOKENS),
    OPENAI_TIMEOUT_SECONDS: '120',
    RUN_MODEL_CODE: 'true',
    ...extra,
  };
}

/** The model server, held by this test file alone until `release()`. */
export interface ClaimedModelServer extends SharedModelServer {
  release(): void;
}

/**
 * Wait until no other test file uses the model server, then hold it: real-model files run one at a time (a
 * lock file per server, in the temp directory, with the holder's pid; a dead holder's lock is taken over), so
 * one file's requests never queue behind another's. Call in `before`, release in `after`.
 */
export async function claimModelServer(): Promise<ClaimedModelServer> {
  const server = await sharedModelServer();
  const lock = path.join(os.tmpdir(), `orchestrator-model-${new URL(server.baseUrl).port}.lock`);
  const waited = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!holderAlive(lock)) unlinkQuietly(lock);
      else await sleep(250);
    }
  }
  if (Date.now() - waited > 1_000) console.log(`# model server: waited ${((Date.now() - waited) / 1000).toFixed(1)} s for another real-model file`);
  const release = (): void => {
    process.off('exit', release);
    if (readQuietly(lock) === String(process.pid)) unlinkQuietly(lock);
  };
  process.on('exit', release);
  return { ...server, release };
}

function holderAlive(lock: string): boolean {
  const content = readQuietly(lock);
  if (content === '') return Date.now() - mtimeMs(lock) < 5_000; // being written, or left empty by a crash
  const pid = Number(content);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function mtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function readQuietly(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/**
 * The time a real-model test (and its wait for the shared server) may take: generation on two shared cores is slow,
 * and the files take turns on one server.
 */
export const REAL_MODEL_TIMEOUT_MS = 900_000;
