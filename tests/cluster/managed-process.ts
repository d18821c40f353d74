import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to start one process of the topology. */
export interface ProcessSpec {
  /** Short name for logs and errors (`worker-a`). */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (the PostgreSQL account). */
  uid?: number;
  gid?: number;
  /** Where stdout and stderr go (appended across restarts). */
  logFile: string;
  /** What stops it when the test process itself goes away. @default 'SIGKILL' */
  emergencySignal?: NodeJS.Signals;
}

const running = new Map<ChildProcess, NodeJS.Signals>();
function stopAll(): void {
  for (const [child, signal] of running) child.kill(signal);
}
// A test process that ends (or is told to) takes its cluster with it, so no server outlives a run.
process.once('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAll();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

/**
 * A child process of the cluster that can be killed (-9) and started again with the same spec. Its output is
 * appended to a log file and kept in memory, so a test can wait for a line or read what it said.
 */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private output = '';
  private log: WriteStream | null = null;
  /** Offset in `output` where the current incarnation started. */
  private startOffset = 0;

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything this process wrote since its latest start. */
  get currentOutput(): string {
    return this.output.slice(this.startOffset);
  }

  /** Everything it wrote across restarts. */
  get allOutput(): string {
    return this.output;
  }

  start(): void {
    if (this.alive) throw new Error(`${this.spec.name} is already running`);
    this.log ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    this.startOffset = this.output.length;
    const child = spawn(this.spec.command, this.spec.args, {
      env: this.spec.env ?? process.env,
      cwd: this.spec.cwd,
      uid: this.spec.uid,
      gid: this.spec.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8');
      if (this.output.length > 4_000_000) this.trim();
      this.log?.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    running.set(child, this.spec.emergencySignal ?? 'SIGKILL');
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        running.delete(child);
        resolve(code);
      }),
    );
    child.once('error', (err) => collect(Buffer.from(`\n[spawn error] ${err.message}\n`)));
    this.child = child;
  }

  /** Resolves when `pattern` appears in this incarnation's output; fails if the process exits first. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.currentOutput)) {
      if (!this.alive) throw new Error(`${this.spec.name} exited before printing ${pattern}:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.spec.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(50);
    }
  }

  /** kill -9, and wait until the kernel has reaped it. */
  async kill9(): Promise<void> {
    if (!this.child || !this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves with the exit code (null when killed by a signal). */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (!this.child || !this.alive) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Suspend (SIGSTOP) or resume (SIGCONT) the process. */
  pause(paused: boolean): void {
    if (this.alive) this.child?.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  /** The last lines it wrote, for error messages. */
  tail(lines = 30): string {
    return this.currentOutput.split('\n').slice(-lines).join('\n');
  }

  async close(): Promise<void> {
    await this.stop(5_000);
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = null;
  }

  private trim(): void {
    const drop = this.output.length - 2_000_000;
    this.output = this.output.slice(drop);
    this.startOffset = Math.max(0, this.startOffset - drop);
  }
}
