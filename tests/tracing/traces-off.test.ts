/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are validated against the OpenAPI document by the harness; tests read them as plain JSON. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as otel from '@opentelemetry/api';
import { ConfigError } from '../../src/config';
import { clientTracingInterceptors } from '../../src/tracing/client-tracing';
import { type TracingSettings, tracingSettingsFromEnv } from '../../src/config/tracing-settings';
import { currentTracing, startConfiguredTracing } from '../../src/tracing/tracing';
import { workerTracingOptions } from '../../src/tracing/worker-tracing';
import { GatewayHarness } from '../gateway/gateway-harness';
import { traceHeadersInHistory } from './trace-history';

/** What an entry point does with its environment's tracing settings (loadConfig, then startConfiguredTracing). */
const startTracingFromEnv = (env: NodeJS.ProcessEnv): TracingSettings | null => startConfiguredTracing(tracingSettingsFromEnv(env));

void describe('tracing settings', () => {
  void test('OTEL_EXPORTER_OTLP_ENDPOINT turns tracing on, with the standard service name override', () => {
    assert.deepEqual(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), { endpoint: 'http://collector:4318', serviceName: 'ai-dev-orchestrator' });
    assert.deepEqual(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'gateway-a' })?.serviceName, 'gateway-a');
    assert.equal(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }), null);
    assert.equal(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }), null);
  });

  void test('a bad tracing variable fails start-up with a message naming it', () => {
    const bad: Record<string, string>[] = [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' },
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'yes' },
    ];
    for (const env of bad) {
      const name = Object.keys(env).at(-1) ?? '';
      assert.throws(() => startTracingFromEnv(env), (err: unknown) => err instanceof ConfigError && err.message.includes(name), JSON.stringify(env));
    }
    assert.equal(currentTracing(), null, 'a rejected setting starts nothing');
  });
});

void describe('with OTEL_EXPORTER_OTLP_ENDPOINT unset, nothing traces', () => {
  let gw: GatewayHarness;
  before(async () => {
    assert.equal(startTracingFromEnv({ PATH: process.env.PATH }), null);
    gw = await GatewayHarness.start({ config: { maxActiveSessions: 10_000 } });
  });
  after(() => gw.close());

  void test('no provider, no client or activity interceptors, and no trace context in the session history', async () => {
    assert.equal(currentTracing(), null);
    const span = otel.trace.getTracer('probe').startSpan('probe');
    assert.equal(span.isRecording(), false, 'the global tracer is the API no-op: no SDK registered');
    span.end();
    assert.deepEqual(clientTracingInterceptors(), {});
    assert.deepEqual(workerTracingOptions().activityInterceptors, []);

    const started = await gw.request('POST', '/sessions', { body: { user_mission: 'Build a URL shortener' } });
    assert.equal(started.status, 201);
    const id = started.json.session_id as string;
    await gw.waitForStatus(id, 'awaiting_approval');
    const headers = await traceHeadersInHistory(gw.sessions.client, id);
    assert.equal(headers.started, false);
    assert.ok(headers.scheduled.length > 0, 'activities were scheduled');
    assert.ok(headers.scheduled.every((carried) => !carried), 'no scheduled activity carried a trace header');
  });
});
