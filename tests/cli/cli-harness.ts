import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { type RunningGateway, startGateway } from '../../src/gateway/server';
import { Orchestrator } from '../../src/orchestration/orchestrator';
import { projectRoot } from '../../src/temporal/binaries';
import { type HarnessOptions, SessionHarness } from '../helpers/session-harness';

/** The compiled CLI, run as a user runs it: the file itself, through its shebang. */
export const CLI_PATH = path.join(projectRoot(), 'dist', 'src', 'cli.js');

/** What one CLI run printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of a CLI stack beyond the session harness's. */
export interface CliStackOptions extends HarnessOptions {
  /** The gateway's bearer token. */
  apiToken?: string;
}

/**
 * The real stack the CLI talks to: the suite's Temporal dev server, a worker on a private task queue (the
 * session harness) and a listening gateway with an Orchestrator and connection of its own.
 */
export class CliStack {
  private constructor(
    readonly sessions: SessionHarness,
    private readonly gateway: RunningGateway,
    private readonly gatewayOrchestrator: Orchestrator,
    private readonly apiToken: string | undefined,
  ) {}

  static async start(options: CliStackOptions = {}): Promise<CliStack> {
    const sessions = await SessionHarness.start(options);
    const orchestrator = new Orchestrator(sessions.orchestrator.config);
    const gateway = await startGateway(
      { orchestrator, logger: pino({ level: 'silent' }), metrics: { cacheMs: 0 }, apiToken: options.apiToken },
      0,
      '127.0.0.1',
      { shutdownTimeoutMs: 2_000 },
    );
    return new CliStack(sessions, gateway, orchestrator, options.apiToken);
  }

  get url(): string {
    return `http://127.0.0.1:${this.gateway.port}`;
  }

  /** The environment a CLI run gets: the gateway's URL and token, nothing inherited that could change it. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const { ORCHESTRATOR_URL: _url, API_TOKEN: _token, ...rest } = process.env;
    return { ...rest, ORCHESTRATOR_URL: this.url, ...(this.apiToken ? { API_TOKEN: this.apiToken } : {}), ...extra };
  }

  /** Run the CLI to completion. */
  run(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, this.env(extraEnv));
  }

  /** Start the CLI and return the child, for commands that keep running (`logs --follow`). */
  spawn(args: string[]): { child: ChildProcess; output: () => string; result: Promise<CliResult> } {
    const child = spawn(CLI_PATH, args, { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const result = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
    return { child, output: () => stdout, result };
  }

  /** Poll the session (through the Orchestrator, not the CLI under test) until `predicate` holds. */
  async waitFor(id: string, predicate: (session: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      const info = await this.sessions.orchestrator.getSessionStatus(id);
      last = info;
      const session = { status: info.status, current_phase: info.currentPhase, iteration_count: info.iterationCount };
      if (predicate(session)) return session;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${id}; last seen ${JSON.stringify(last)}`);
  }

  async close(): Promise<void> {
    await this.gateway.close();
    await this.gatewayOrchestrator.close();
    await this.sessions.close();
  }
}

/** Run the CLI binary with `env`, to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(CLI_PATH, args, { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Parse a run's stdout as JSON (fails the test with the run's output when it is not). */
export function parseJson<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
