import { z } from 'zod';
import { parseEnvSettings } from './env-settings';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/**
 * The OpenTelemetry variables this project reads itself. They keep their standard names (the one exception to the
 * `…_SECONDS` naming rule): collectors, operators and the exporter library all know them by these names. The
 * exporter and the SDK read the other standard ones (OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, OTEL_BSP_*) directly.
 */
const schema = z.object({
  /** Base URL of an OTLP/HTTP collector (`/v1/traces` is appended); unset means tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  /** Full URL for traces only, overriding the base URL. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  /** Only OTLP over HTTP with protobuf bodies is exported. @default 'http/protobuf' */
  OTEL_EXPORTER_OTLP_PROTOCOL: z.literal('http/protobuf', { error: 'only http/protobuf is supported' }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.literal('http/protobuf', { error: 'only http/protobuf is supported' }).optional(),
  /** The `service.name` of every span. @default 'ai-dev-orchestrator' */
  OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
  /** The standard kill switch: `true` keeps tracing off even with an endpoint. */
  OTEL_SDK_DISABLED: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

/** What starting tracing needs; null from {@link tracingSettingsFromEnv} means tracing is off. */
export interface TracingSettings {
  endpoint: string;
  serviceName: string;
}

/** The service name spans carry unless OTEL_SERVICE_NAME says otherwise. */
export const DEFAULT_SERVICE_NAME = 'ai-dev-orchestrator';

/**
 * Reads and validates the OpenTelemetry environment; a bad value fails start-up with a message naming it.
 * Returns null (tracing off) when OTEL_EXPORTER_OTLP_ENDPOINT is unset or OTEL_SDK_DISABLED is `true`.
 */
export function tracingSettingsFromEnv(env: NodeJS.ProcessEnv): TracingSettings | null {
  const s = parseEnvSettings(schema, env, 'tracing');
  if (!s.OTEL_EXPORTER_OTLP_ENDPOINT || s.OTEL_SDK_DISABLED === 'true') return null;
  return { endpoint: s.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? s.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: s.OTEL_SERVICE_NAME ?? DEFAULT_SERVICE_NAME };
}
