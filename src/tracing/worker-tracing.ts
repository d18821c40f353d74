import * as otel from '@opentelemetry/api';
import { defaultPayloadConverter } from '@temporalio/common';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, type OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { CAUSE_TRACE_HEADER } from '../../workflows/trace-headers';
import { currentTracing, type Tracing } from './tracing';

/**
 * Bundled into every workflow bundle, whether this process traces or not: the workflow code is then the same on
 * every worker, and the module itself traces only workflows that arrive with a trace header.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [require.resolve('../../workflows/tracing-interceptors')];

/** What a worker adds for tracing: activity interceptors (none when off) and the workflow span sink. */
export interface WorkerTracingOptions {
  activityInterceptors: ActivityInterceptorsFactory[];
  sinks: InjectedSinks<OpenTelemetrySinks>;
}

/**
 * Worker options for the tracing this process started. Off, no activity is intercepted and spans from workflows
 * traced by some other client are dropped by a sink that does nothing (the SDK logs an error for a missing one).
 */
export function workerTracingOptions(tracing: Tracing | null = currentTracing()): WorkerTracingOptions {
  if (!tracing) return { activityInterceptors: [], sinks: { exporter: { export: { fn: () => undefined } } } };
  return {
    activityInterceptors: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx) }), causeLinkInterceptor],
    sinks: { exporter: workflowSpanSink(tracing) },
  };
}

/**
 * The SDK's sink for spans made in the workflow sandbox, given only the identifying fields of the workflow's
 * info: the SDK copies every field onto each span, memo, search attributes and last result included.
 */
function workflowSpanSink(tracing: Tracing): InjectedSinks<OpenTelemetrySinks>['exporter'] {
  const sdkSink = makeWorkflowExporter(tracing.spanProcessor, tracing.resource);
  return {
    export: {
      fn: (info, spans) => {
        const { workflowId, runId, workflowType, namespace, taskQueue, attempt } = info;
        return sdkSink.export.fn({ workflowId, runId, workflowType, namespace, taskQueue, attempt } as WorkflowInfo, spans);
      },
    },
  };
}

/** Inside the SDK's RunActivity span: link it to the Update or Signal that let the activity run, if any. */
const causeLinkInterceptor: ActivityInterceptorsFactory = () => ({
  inbound: {
    execute(input, next) {
      const header = input.headers[CAUSE_TRACE_HEADER];
      const span = otel.trace.getActiveSpan();
      if (header && span) {
        const carrier = defaultPayloadConverter.fromPayload<Record<string, string>>(header);
        const spanContext = otel.trace.getSpanContext(otel.propagation.extract(otel.ROOT_CONTEXT, carrier, otel.defaultTextMapGetter));
        if (spanContext && otel.isSpanContextValid(spanContext)) {
          span.addLink({ context: spanContext, attributes: carrier.name ? { 'temporal.cause': carrier.name } : {} });
        }
      }
      return next(input);
    },
  },
});
