import { serverChildEnv } from './server-child-env';
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findTemporalCli } from './binaries';

/** The dev server's form of src/temporal/dynamic-config.yaml: the default (10/s, burst 1x) throttles the metrics' count queries. */
const VISIBILITY_LIMITS = ['frontend.namespaceRPS.visibility=200', 'frontend.namespaceBurstRatio.visibility=2'];

/** Pause between looks at a starting server (it takes about half a second on a quiet machine). */
const PORT_POLL_MS = 25;

/** How to run the embedded Temporal dev server. */
export interface DevServerOptions {
  /** gRPC frontend port. */
  port: number;
  /** Web UI port; the UI is off when null. */
  uiPort: number | null;
  /** SQLite file (WAL mode); in memory when null. */
  dbPath: string | null;
  /** Extra namespaces to create at launch besides `default`. */
  namespaces?: string[];
  /** Where the server's own output goes. @default next to dbPath, or discarded when in memory */
  logFile?: string | null;
  /** @default 60_000 */
  startTimeoutMs?: number;
  /** Let this process exit while the server runs; the server is killed when it does. @default false */
  unref?: boolean;
}

/** How a dev server's process ended. */
export interface DevServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when `stop()` ended it. */
  requested: boolean;
}

/** A running dev server. */
export interface DevServer {
  address: string;
  uiUrl: string | null;
  /** The server's process id. */
  pid: number;
  /** Settles when the server's process exits, for whatever reason. */
  exited: Promise<DevServerExit>;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** Start `temporal server start-dev` and wait until its frontend answers. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  if (options.dbPath) {
    mkdirSync(path.dirname(path.resolve(options.dbPath)), { recursive: true });
    args.push('--db-filename', path.resolve(options.dbPath), '--sqlite-pragma', 'journal_mode=wal');
  }
  for (const namespace of options.namespaces ?? []) args.push('--namespace', namespace);
  // The visibility rate limit a server needs for the gateways' metrics (src/temporal/dynamic-config.yaml).
  for (const setting of VISIBILITY_LIMITS) args.push('--dynamic-config-value', setting);

  const logFile = options.logFile === undefined ? (options.dbPath ? `${path.resolve(options.dbPath)}.server.log` : null) : options.logFile;
  const child = spawn(findTemporalCli(), args, { stdio: ['ignore', 'pipe', 'pipe'], env: serverChildEnv() });
  let recentOutput = '';
  const remember = (chunk: Buffer): void => {
    recentOutput = (recentOutput + chunk.toString()).slice(-4_000);
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);
  if (logFile) {
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
  }
  if (options.unref) {
    child.unref();
    (child.stdout as unknown as Socket).unref();
    (child.stderr as unknown as Socket).unref();
    process.once('exit', () => child.kill('SIGKILL'));
  }
  let exited = false;
  let requested = false;
  const ended = new Promise<DevServerExit>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal, requested });
    }),
  );
  const exit = ended.then(() => undefined);
  const stop = (): Promise<void> => {
    requested = true;
    return stopChild(child, exit);
  };

  const address = `127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`Temporal dev server exited during start-up:\n${recentOutput}`);
    // A gRPC connection to a port nobody listens on yet waits out its whole connect timeout: knock first.
    if (!(await acceptsConnections(options.port))) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Temporal dev server did not listen on ${address} in time:\n${recentOutput}`);
      }
      await sleep(PORT_POLL_MS);
      continue;
    }
    try {
      // Loaded only now: a process that starts its server first (npm start) loads the client while the server boots.
      const { Connection } = await import('@temporalio/client');
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.withDeadline(Date.now() + 2_000, () =>
          connection.workflowService.describeNamespace({ namespace: 'default' }),
        );
      } finally {
        await connection.close();
      }
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Temporal dev server did not answer on ${address} in time:\n${recentOutput}`, { cause: err });
      }
      await sleep(PORT_POLL_MS);
    }
  }
  return {
    address,
    uiUrl: options.uiPort === null ? null : `http://127.0.0.1:${options.uiPort}`,
    pid: child.pid ?? 0,
    exited: ended,
    stop,
  };
}

/** Whether something accepts TCP connections on `port` of 127.0.0.1 now. */
function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function stopChild(child: ChildProcess, exit: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killed = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
  if (!killed) {
    child.kill('SIGKILL');
    await exit;
  }
}
