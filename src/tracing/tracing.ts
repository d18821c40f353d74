import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResourcesSync, envDetectorSync, Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_SERVICE_NAME, type TracingSettings } from '../config/tracing-settings';

/** Tracing as started in this process: what the worker's workflow span sink and the shutdown need. */
export interface Tracing {
  readonly spanProcessor: SpanProcessor;
  readonly resource: Resource;
  /** Export what is still buffered, then stop and unregister the global provider. */
  shutdown(): Promise<void>;
}

/** Options of {@link startTracing}. */
export interface StartTracingOptions {
  /** Where finished spans go. @default a batch processor over the OTLP/HTTP (protobuf) exporter */
  spanProcessor?: SpanProcessor;
  /** @default DEFAULT_SERVICE_NAME */
  serviceName?: string;
}

let current: Tracing | null = null;

/** The tracing this process started, or null when it is off (then nothing traces and nothing is exported). */
export function currentTracing(): Tracing | null {
  return current;
}

/** Start tracing with the settings an entry point loaded (see loadConfig); null starts nothing. Returns `settings`. */
export function startConfiguredTracing(settings: TracingSettings | null): TracingSettings | null {
  if (!settings) return null;
  // The exporter reads the endpoint, headers, timeout and compression from the same standard variables.
  startTracing({ serviceName: settings.serviceName, spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter()) });
  return settings;
}

/**
 * Register a global tracer provider (W3C trace context propagation, async-local context) so that the gateway's
 * request spans, the Temporal client, worker and activity interceptors all trace. One per process.
 */
export function startTracing(options: StartTracingOptions = {}): Tracing {
  if (current) throw new Error('tracing is already started in this process');
  // OTEL_RESOURCE_ATTRIBUTES first, then the service name (OTEL_SERVICE_NAME as validated, or the default).
  const resource = Resource.default()
    .merge(detectResourcesSync({ detectors: [envDetectorSync] }))
    .merge(new Resource({ 'service.name': options.serviceName ?? DEFAULT_SERVICE_NAME }));
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });
  const tracing: Tracing = {
    spanProcessor,
    resource,
    shutdown: async () => {
      if (current !== tracing) return;
      current = null;
      await provider.shutdown();
      otel.trace.disable();
      otel.context.disable();
      otel.propagation.disable();
    },
  };
  current = tracing;
  return tracing;
}
