import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ManagedProcess } from './managed-process';

/** Debian's PostgreSQL 15 binaries. */
export const POSTGRES_BIN = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
/** The unprivileged system account PostgreSQL runs as when the tests run as root (initdb refuses root). */
export const POSTGRES_USER_ACCOUNT = 'orchestrator-pg';

/** Credentials of the database role the Temporal server uses. */
export const DB_ROLE = { user: 'temporal', password: 'temporal' } as const;

interface Account {
  uid: number | undefined;
  gid: number | undefined;
}

/** The account to run PostgreSQL as: ours when unprivileged, else a system user created on first use. */
function postgresAccount(): Account {
  if (process.getuid?.() !== 0) return { uid: undefined, gid: undefined };
  const lookup = (): string | null => {
    try {
      return execFileSync('getent', ['passwd', POSTGRES_USER_ACCOUNT], { encoding: 'utf8' });
    } catch {
      return null;
    }
  };
  let entry = lookup();
  if (!entry) {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', POSTGRES_USER_ACCOUNT]);
    entry = lookup();
  }
  const [, , uid, gid] = (entry ?? '').trim().split(':');
  if (!uid || !gid) throw new Error(`cannot find the ${POSTGRES_USER_ACCOUNT} account`);
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A PostgreSQL server on a loopback port with its data in `<baseDir>/postgres` (the base directory must be
 * traversable by the PostgreSQL account). It can be crashed (immediate shutdown) and started again on the same
 * data directory.
 */
export class PostgresServer {
  private readonly process: ManagedProcess;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    account: Account,
    logFile: string,
    maxConnections: number,
  ) {
    this.process = new ManagedProcess({
      name: 'postgres',
      command: path.join(POSTGRES_BIN, 'postgres'),
      // fsync off: the tests crash processes, never the machine, so the page cache always survives.
      args: ['-D', dataDir, '-p', String(port), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
        '-c', 'full_page_writes=off', '-c', `max_connections=${maxConnections}`],
      uid: account.uid,
      gid: account.gid,
      logFile,
      emergencySignal: 'SIGQUIT',
    });
  }

  /** initdb a fresh data directory under `baseDir` and start the server on `port`. */
  static async create(baseDir: string, port: number, maxConnections = 200): Promise<PostgresServer> {
    const account = postgresAccount();
    const dataDir = path.join(baseDir, 'postgres');
    const passwordFile = path.join(baseDir, 'postgres-password');
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(passwordFile, `${DB_ROLE.password}\n`, { mode: 0o600 });
    if (account.uid !== undefined && account.gid !== undefined) {
      chownSync(dataDir, account.uid, account.gid);
      chownSync(passwordFile, account.uid, account.gid);
    }
    execFileSync(
      path.join(POSTGRES_BIN, 'initdb'),
      ['-D', dataDir, '-U', DB_ROLE.user, `--pwfile=${passwordFile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { uid: account.uid, gid: account.gid, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PostgresServer(port, dataDir, account, path.join(baseDir, 'postgres.log'), maxConnections);
    await server.start();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Start on the same data directory; resolves once it accepts connections (after crash recovery, if any). */
  async start(): Promise<void> {
    this.process.start();
    await this.process.waitForOutput(/database system is ready to accept connections/, 60_000);
  }

  /** Immediate shutdown (SIGQUIT): no checkpoint, crash recovery on the next start, like a crash. */
  async crash(): Promise<void> {
    if (!this.process.alive || this.process.pid === undefined) return;
    process.kill(this.process.pid, 'SIGQUIT');
    await this.process.stop(10_000);
  }

  async close(): Promise<void> {
    await this.process.close();
  }
}
