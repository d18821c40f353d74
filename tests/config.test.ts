import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, DEFAULT_CONFIG, resolveConfig, temporalAddressOf } from '../src/config';
import { loadConfig } from '../src/config/load-config';

test('defaults follow the spec', () => {
  const config = resolveConfig({}, {});
  assert.equal(config.dbPath, 'data/orchestrator.db');
  assert.equal(config.maxIterations, 5);
  assert.equal(config.sessionTtlDays, 7);
  assert.equal(config.workDirBase, 'projects');
  assert.equal(config.useSqliteCheckpointer, true);
  assert.equal(config.maxActiveSessions, 100);
  assert.equal(config.port, 8080);
  assert.equal(config.temporalPort, 7233);
  assert.equal(config.temporalUiPort, 8233);
  assert.equal(config.temporalAddress, undefined, 'unset means the embedded server');
  assert.equal(temporalAddressOf(config), '127.0.0.1:7233');
});

test('environment variables override defaults, and explicit values override both', () => {
  const env = {
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    TEMPORAL_NAMESPACE: 'sessions',
    ORCHESTRATOR_DB_PATH: '/var/lib/o.db',
    WORK_DIR_BASE: '/srv/projects',
    MAX_ITERATIONS: '3',
    SESSION_TTL_DAYS: '0.5',
    MAX_ACTIVE_SESSIONS: '20',
    SESSION_RETENTION_DAYS: '14',
    PORT: '9000',
    TEMPORAL_PORT: '7300',
    TEMPORAL_UI_PORT: '8300',
    USE_SQLITE_CHECKPOINTER: 'false',
  };
  const config = resolveConfig({ maxIterations: 9 }, env);
  assert.deepEqual(
    { ...config },
    {
      ...DEFAULT_CONFIG,
      temporalAddress: 'temporal.internal:7233',
      namespace: 'sessions',
      dbPath: '/var/lib/o.db',
      workDirBase: '/srv/projects',
      maxIterations: 9,
      sessionTtlDays: 0.5,
      maxActiveSessions: 20,
      retentionDays: 14,
      port: 9000,
      temporalPort: 7300,
      temporalUiPort: 8300,
      useSqliteCheckpointer: false,
    },
  );
  assert.equal(temporalAddressOf(config), 'temporal.internal:7233');
});

test('a bad value fails at start-up with a message naming the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ MAX_ITERATIONS: 'five' }, /MAX_ITERATIONS \(maxIterations\)/],
    [{ MAX_ITERATIONS: '-1' }, /MAX_ITERATIONS/],
    [{ PORT: '70000' }, /PORT \(port\)/],
    [{ SESSION_TTL_DAYS: '0' }, /SESSION_TTL_DAYS/],
    [{ MAX_ACTIVE_SESSIONS: '2.5' }, /MAX_ACTIVE_SESSIONS/],
    [{ TEMPORAL_ADDRESS: 'no-port-here' }, /TEMPORAL_ADDRESS .*host:port/],
    [{ USE_SQLITE_CHECKPOINTER: 'maybe' }, /USE_SQLITE_CHECKPOINTER/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => resolveConfig({}, env), (err: Error) => err instanceof ConfigError && message.test(err.message), JSON.stringify(env));
  }
  assert.throws(() => resolveConfig({ unknownSetting: 1 } as never, {}), ConfigError, 'unknown settings are refused');
});

test('blank environment variables count as unset', () => {
  assert.equal(resolveConfig({}, { MAX_ITERATIONS: '  ', TEMPORAL_ADDRESS: '' }).maxIterations, 5);
});

test('loadConfig: every group of settings from one environment, with their defaults', () => {
  const loaded = loadConfig({});
  assert.deepEqual({ ...loaded.orchestrator }, { ...DEFAULT_CONFIG });
  assert.deepEqual(loaded.gateway, { apiToken: undefined, host: '127.0.0.1', requestTimeoutMs: 5_000, decisionTimeoutMs: 10_000, bodyLimitBytes: 131_072, shutdownTimeoutMs: 10_000 });
  assert.deepEqual(loaded.dashboard, { temporalUiUrl: 'http://localhost:8233', pollMs: 250, heartbeatMs: 15_000 });
  assert.equal(loaded.tracing, null, 'tracing is off without an endpoint');
  assert.equal(loaded.logLevel, 'info');

  const set = loadConfig({ MAX_ITERATIONS: '3', GATEWAY_REQUEST_TIMEOUT_MS: '2500', DASHBOARD_POLL_MS: '100', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', LOG_LEVEL: 'warn' });
  assert.equal(set.orchestrator.maxIterations, 3);
  assert.equal(set.gateway.requestTimeoutMs, 2_500);
  assert.equal(set.dashboard.pollMs, 100);
  assert.equal(set.tracing?.endpoint, 'http://collector:4318');
  assert.equal(set.logLevel, 'warn');
});

test('loadConfig rejects a bad LOG_LEVEL, naming it and the levels it takes', () => {
  for (const level of ['verbose', 'INFO', 'warning']) {
    assert.throws(
      () => loadConfig({ LOG_LEVEL: level }),
      (err: Error) => err instanceof ConfigError && /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/.test(err.message),
      level,
    );
  }
  assert.equal(loadConfig({ LOG_LEVEL: '  ' }).logLevel, 'info', 'blank is unset');
});

test('loadConfig names every bad variable of every group at once', () => {
  assert.throws(
    () => loadConfig({ MAX_ITERATIONS: 'lots', API_TOKEN: 'short', DASHBOARD_POLL_MS: '1', OTEL_SDK_DISABLED: 'yes', LOG_LEVEL: 'loud' }),
    (err: Error) => err instanceof ConfigError && ['MAX_ITERATIONS (maxIterations)', 'API_TOKEN', 'DASHBOARD_POLL_MS', 'OTEL_SDK_DISABLED', 'LOG_LEVEL'].every((name) => err.message.includes(name)),
  );
});
