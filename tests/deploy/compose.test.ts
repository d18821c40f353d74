import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { ENV_OVERRIDES } from '../../src/config';
import { projectRoot } from '../../src/temporal/binaries';
import { COMPOSE_PATH, type ComposeFile, declaredNames, dockerCompose, mounts, resolvedCompose } from './compose-file';

const ONE_SHOTS = ['temporal-schema', 'namespace-setup'];
const APP_SERVICES = ['namespace-setup', 'worker', 'gateway'];
/** Settings of the embedded dev server only: a stack with a real Temporal server must not set them. */
const EMBEDDED_ONLY = ['ORCHESTRATOR_DB_PATH', 'USE_SQLITE_CHECKPOINTER', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT'];
/** Read by workers only: the container's own settings, and how agents think and run code (with their keys). */
const WORKER_ONLY = [
  'WORKFLOW_BUNDLE_PATH',
  'WORKER_HEALTH_FILE',
  'WORKER_MAX_CACHED_WORKFLOWS',
  'WORK_DIR_RETENTION_DAYS',
  'WEBHOOK_SECRET',
  'WEBHOOK_FORMAT',
  'GIT_PUSH_URL',
  ...Object.keys(ENV_OVERRIDES).filter((name) => /^(AGENT_|OPENAI_|RUN_)|^QA_TEST_COMMAND$/.test(name)),
];
const GATEWAY_ONLY = ['PORT', ...declaredNames('src/config/gateway-settings.ts', 'const schema', '});', /^\s{2}([A-Z][A-Z0-9_]+):/gm)];

void describe('docker-compose.yml, checked with the real compose parser (validated, not booted: no Docker engine here)', () => {
  let compose: ComposeFile;
  before(() => {
    compose = resolvedCompose();
  });

  void test('docker-compose config -q accepts the file without a warning', () => {
    const result = dockerCompose(['config', '-q']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr.trim(), '', 'no warnings (unset variables, deprecated keys)');
  });

  void test('services: PostgreSQL, Temporal with an admin-tools schema step (no auto-setup), the Web UI, the namespace step, worker and gateway', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['gateway', 'namespace-setup', 'postgresql', 'temporal', 'temporal-schema', 'temporal-ui', 'worker']);
    const image = (name: string): string => compose.services[name]?.image ?? '';
    assert.match(image('postgresql'), /^postgres:/);
    assert.match(image('temporal'), /^temporalio\/server:/);
    assert.match(image('temporal-schema'), /^temporalio\/admin-tools:/);
    assert.match(image('temporal-ui'), /^temporalio\/ui:/);
    assert.doesNotMatch(readFileSync(COMPOSE_PATH, 'utf8'), /auto-setup/);
    const schemaScript = JSON.stringify(compose.services['temporal-schema']?.command);
    for (const step of ['setup-schema', 'postgresql/v12/temporal/versioned', 'postgresql/v12/visibility/versioned']) assert.ok(schemaScript.includes(step), step);
    for (const name of APP_SERVICES) {
      assert.equal(image(name), image('worker'), `${name} runs the project's image`);
      assert.ok(compose.services[name]?.build, `${name} can build it`);
    }
    assert.deepEqual(compose.services['namespace-setup']?.command, ['node', 'dist/src/temporal/setup-namespace.js']);
    assert.deepEqual(compose.services.worker?.command, ['node', 'dist/src/worker.js']);
    assert.deepEqual(compose.services.gateway?.command, ['node', 'dist/src/gateway/server.js']);
    for (const entry of ['src/temporal/setup-namespace.js', 'src/worker.js', 'src/gateway/server.js']) {
      assert.ok(existsSync(path.join(projectRoot(), 'dist', entry)), `the build produces ${entry}`);
    }
  });

  void test('health checks on every long-running service; depends_on always with a condition that fits the target', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (ONE_SHOTS.includes(name)) {
        assert.equal(service.restart, 'no', `${name} runs once`);
        const disabled = service.healthcheck?.disable === true || JSON.stringify(service.healthcheck?.test) === '["NONE"]';
        assert.ok(disabled, `${name} is judged by its exit code, not by an image health check`);
        continue;
      }
      const check = service.healthcheck?.test;
      assert.ok(Array.isArray(check) && check.length > 1 && check[0] !== 'NONE' && !service.healthcheck?.disable, `${name} has a health check`);
    }
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        const expected = ONE_SHOTS.includes(target) ? 'service_completed_successfully' : 'service_healthy';
        assert.equal(condition, expected, `${name} → ${target}`);
      }
    }
    assert.match(JSON.stringify(compose.services.gateway?.healthcheck?.test), /127\.0\.0\.1:8080\/readyz/, 'the gateway is healthy when Temporal answers');
    const healthFile = compose.services.worker?.environment?.WORKER_HEALTH_FILE ?? '';
    assert.ok(healthFile && JSON.stringify(compose.services.worker?.healthcheck?.test).includes(healthFile), 'the worker check reads the file the worker refreshes');
    for (const name of APP_SERVICES) assert.ok(compose.services[name]?.depends_on?.temporal, `${name} waits for Temporal`);
    for (const name of ['worker', 'gateway']) assert.ok(compose.services[name]?.depends_on?.['namespace-setup'], `${name} waits for the namespace`);
  });

  void test('the worker scales (no container name, no host port) and shares the work-directory volume with the gateway', () => {
    const { worker, gateway } = compose.services;
    assert.ok(worker && gateway);
    for (const [name, service] of Object.entries(compose.services)) assert.equal(service.container_name, undefined, `${name} has no fixed container name`);
    assert.equal(worker.ports, undefined, 'no host port on the worker');
    const workDir = worker.environment?.WORK_DIR_BASE;
    assert.ok(workDir);
    assert.equal(gateway.environment?.WORK_DIR_BASE, workDir);
    const workerMount = mounts(worker).find((m) => m.target === workDir);
    const gatewayMount = mounts(gateway).find((m) => m.target === workDir);
    assert.ok(workerMount && !workerMount.readOnly, 'workers write work directories on the volume');
    assert.ok(gatewayMount?.readOnly, 'the gateway reads them');
    assert.equal(gatewayMount.source, workerMount.source);
    assert.ok(compose.volumes && workerMount.source in compose.volumes, 'a named volume, shared by every worker replica');
    assert.ok(mounts(compose.services.postgresql ?? {}).some((m) => m.source in (compose.volumes ?? {})), 'PostgreSQL keeps its data on a volume');
    assert.ok((gateway.ports ?? []).some((port) => String(typeof port === 'string' ? port : port.target).endsWith('8080')), 'the gateway is published');
  });

  void test('every variable the code reads is provided to the processes that read it, and nothing unknown', () => {
    const config = Object.keys(ENV_OVERRIDES);
    // The standard OpenTelemetry variables every process's tracing reads (src/config/tracing-settings.ts), and
    // the exporter's headers, which the OpenTelemetry SDK reads itself.
    const tracing = readFileSync(path.join(projectRoot(), 'src', 'config', 'tracing-settings.ts'), 'utf8');
    const otel = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_SERVICE_NAME'];
    for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME']) assert.ok(tracing.includes(name), `${name} is a tracing setting`);
    const known = new Set([...config, ...GATEWAY_ONLY, 'LOG_LEVEL', ...otel]);
    const shared = [...config.filter((name) => !EMBEDDED_ONLY.includes(name) && !WORKER_ONLY.includes(name) && !GATEWAY_ONLY.includes(name)), 'LOG_LEVEL'];
    assert.ok(GATEWAY_ONLY.includes('API_TOKEN') && GATEWAY_ONLY.length > 3, `gateway settings found: ${GATEWAY_ONLY.join(', ')}`);
    const expected: Record<string, string[]> = {
      'namespace-setup': shared,
      worker: [...shared, ...WORKER_ONLY],
      gateway: [...shared, ...GATEWAY_ONLY],
    };
    for (const [name, variables] of Object.entries(expected)) {
      const environment = compose.services[name]?.environment ?? {};
      assert.deepEqual(variables.filter((v) => !(v in environment)), [], `${name} lacks these`);
      assert.deepEqual(Object.keys(environment).filter((v) => !known.has(v)), [], `${name} sets variables no code reads`);
      assert.deepEqual(Object.keys(environment).filter((v) => EMBEDDED_ONLY.includes(v)), [], `${name} sets embedded-server settings`);
    }
    const values = (variable: string): Set<string | null | undefined> => new Set(APP_SERVICES.map((name) => compose.services[name]?.environment?.[variable]));
    for (const variable of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'WORK_DIR_BASE']) {
      assert.equal(values(variable).size, 1, `${variable} is the same for every process`);
    }
    assert.equal(compose.services.worker?.environment?.TEMPORAL_ADDRESS, 'temporal:7233', 'the Temporal service, by its compose name');
    assert.equal(compose.services.gateway?.environment?.PORT, '8080');
    assert.equal(compose.services.gateway?.environment?.GATEWAY_HOST, '0.0.0.0', 'reachable through the published port');
    for (const name of ['gateway', 'namespace-setup']) {
      const environment = compose.services[name]?.environment ?? {};
      assert.ok(!('OPENAI_API_KEY' in environment) && !('AGENT_COMMAND_ENV' in environment), `${name} never sees model or agent keys`);
    }
  });

  void test('settings pass through from the environment (an external cluster instead of the bundled one)', () => {
    const external = resolvedCompose({ TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'acme.a1b2c', TEMPORAL_API_KEY: 'secret' });
    for (const name of APP_SERVICES) {
      const environment = external.services[name]?.environment;
      assert.equal(environment?.TEMPORAL_ADDRESS, 'acme.a1b2c.tmprl.cloud:7233');
      assert.equal(environment?.TEMPORAL_NAMESPACE, 'acme.a1b2c');
      assert.equal(environment?.TEMPORAL_API_KEY, 'secret');
    }
  });
});
