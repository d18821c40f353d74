import { execFile } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { projectRoot } from '../../src/temporal/binaries';
import { freePort } from '../helpers/free-port';
import net from 'node:net';
import { ManagedProcess } from './managed-process';
import { DB_ROLE, type PostgresServer } from './postgres';

const run = promisify(execFile);

/** Version of go.temporal.io/server the cluster runs; the build script caches one build per version. */
export const TEMPORAL_SERVER_VERSION = process.env.TEMPORAL_SERVER_VERSION ?? 'v1.32.1';

/** The main and the visibility database, and where their versioned schema lives in the module source. */
const DATABASES = [
  { name: 'temporal', schema: 'temporal' },
  { name: 'temporal_visibility', schema: 'visibility' },
] as const;

/**
 * Build (first run: minutes) or find (later runs: milliseconds) the server and temporal-sql-tool binaries with
 * tests/cluster/build-temporal-server.sh; resolves with the cache directory.
 */
export async function ensureTemporalServerBuilt(): Promise<string> {
  const script = path.resolve(__dirname, '../../../tests/cluster/build-temporal-server.sh');
  const { stdout } = await run('bash', [script], {
    env: { ...process.env, TEMPORAL_SERVER_VERSION },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 40 * 60_000,
  });
  return stdout.trim().split('\n').pop() ?? '';
}

/** Create both databases and bring their schemas to the version of the binaries (idempotent). */
export async function setUpSchema(binDir: string, postgres: PostgresServer): Promise<void> {
  const base = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(postgres.port), '-u', DB_ROLE.user, '--pw', DB_ROLE.password];
  const sqlTool = path.join(binDir, 'sql');
  for (const db of DATABASES) {
    const versioned = path.join(binDir, 'schema/postgresql/v12', db.schema, 'versioned');
    await run(sqlTool, [...base, '--db', db.name, 'create-database']);
    await run(sqlTool, [...base, '--db', db.name, 'setup-schema', '-v', '0.0']);
    await run(sqlTool, [...base, '--db', db.name, 'update-schema', '-d', versioned]);
  }
}

/**
 * A free loopback port below 32768: the SQL cluster-membership table stores ports as smallint, so an ephemeral
 * port (the kernel's 32768+) makes the server fail at start-up.
 */
async function freeMembershipPort(): Promise<number> {
  for (let tries = 0; tries < 200; tries += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below 32768');
}

function configYaml(postgres: PostgresServer, ports: Record<'frontend' | 'history' | 'matching' | 'worker', [number, number]>, dynamicConfigFile: string): string {
  const store = (db: string, maxConns: number): string => `
      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "${postgres.address}"
        connectProtocol: "tcp"
        user: "${DB_ROLE.user}"
        password: "${DB_ROLE.password}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const service = (name: keyof typeof ports): string => `
  ${name}:
    rpc:
      grpcPort: ${ports[name][0]}
      membershipPort: ${ports[name][1]}
      bindOnLocalHost: true`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:${store('temporal', 20)}
    postgres-visibility:${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:${service('frontend')}${service('history')}${service('matching')}${service('worker')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.frontend[0]}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${dynamicConfigFile}"
  pollInterval: "10s"
`;
}

/** The dynamic configuration docker-compose.yml mounts too: a visibility rate limit the gateways' metrics fit in. */
export const DYNAMIC_CONFIG_FILE = path.join(projectRoot(), 'src', 'temporal', 'dynamic-config.yaml');

/**
 * The Temporal server (all four services in one process) on PostgreSQL with SQL visibility, on loopback ports
 * fixed at creation, so a restart after kill -9 comes back at the same address on the same database.
 */
export class TemporalServer {
  private readonly process: ManagedProcess;

  private constructor(
    readonly address: string,
    binDir: string,
    configFile: string,
    logFile: string,
  ) {
    this.process = new ManagedProcess({
      name: 'temporal-server',
      command: path.join(binDir, 'server'),
      args: ['--config-file', configFile, '--allow-no-auth', 'start'],
      logFile,
    });
  }

  /** Write the configuration under `baseDir`, set up the schema and start the server. */
  static async create(baseDir: string, binDir: string, postgres: PostgresServer): Promise<TemporalServer> {
    await setUpSchema(binDir, postgres);
    const pair = async (): Promise<[number, number]> => [await freePort(), await freeMembershipPort()];
    const ports = { frontend: await pair(), history: await pair(), matching: await pair(), worker: await pair() };
    const configFile = path.join(baseDir, 'temporal.yaml');
    const dynamicConfigFile = path.join(baseDir, 'temporal-dynamic.yaml');
    copyFileSync(DYNAMIC_CONFIG_FILE, dynamicConfigFile);
    writeFileSync(configFile, configYaml(postgres, ports, dynamicConfigFile));
    const server = new TemporalServer(`127.0.0.1:${ports.frontend[0]}`, binDir, configFile, path.join(baseDir, 'temporal.log'));
    await server.start();
    return server;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get alive(): boolean {
    return this.process.alive;
  }

  /** Start (or restart on the same database); resolves once the frontend answers. */
  async start(timeoutMs = 120_000): Promise<void> {
    this.process.start();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.process.alive) throw new Error(`the Temporal server exited during start-up:\n${this.process.tail()}`);
      try {
        const connection = await Connection.connect({ address: this.address, connectTimeout: 2_000 });
        try {
          await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.getSystemInfo({}));
          await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.describeNamespace({ namespace: 'temporal-system' }));
          return;
        } finally {
          await connection.close();
        }
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`the Temporal server did not answer within ${timeoutMs} ms:\n${this.process.tail()}`, { cause: err });
        await sleep(250);
      }
    }
  }

  async kill9(): Promise<void> {
    await this.process.kill9();
  }

  async close(): Promise<void> {
    await this.process.close();
  }
}
