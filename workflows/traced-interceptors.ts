import * as otel from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type {
  ActivityInput,
  LocalActivityInput,
  Next,
  WorkflowInboundCallsInterceptor,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { CAUSE_TRACE_HEADER, SDK_TRACE_HEADER } from './trace-headers';

/** One workflow's tracing interceptors. */
export interface TracedInterceptors {
  inbound: WorkflowInboundCallsInterceptor;
  outbound: WorkflowOutboundCallsInterceptor;
  internals: WorkflowInternalsInterceptor;
}

/**
 * The SDK's OpenTelemetry workflow interceptors for one workflow, made at its first traced call (see
 * tracing-interceptors.ts, which loads this module only then).
 *
 * Beyond the SDK: the latest traced Update or Signal is remembered, and activities scheduled after it carry its
 * context (span link on StartActivity here, and {@link CAUSE_TRACE_HEADER} for the worker's RunActivity span).
 */
export const tracedInterceptors = (): TracedInterceptors => {
  const sdkInbound = new OpenTelemetryInboundInterceptor();
  const sdkOutbound = new OpenTelemetryOutboundInterceptor();
  let startedTraced = false;
  let cause: { spanContext: otel.SpanContext; name: string } | null = null;

  const rememberCause = (name: string): void => {
    const spanContext = otel.trace.getSpan(otel.context.active())?.spanContext();
    if (spanContext && otel.isSpanContextValid(spanContext)) cause = { spanContext, name };
  };

  const withCause = <I extends ActivityInput | LocalActivityInput>(input: I): I => {
    if (!cause) return input;
    otel.trace.getSpan(otel.context.active())?.addLink({ context: cause.spanContext, attributes: { 'temporal.cause': cause.name } });
    const carrier: Record<string, string> = {};
    otel.propagation.inject(otel.trace.setSpanContext(otel.ROOT_CONTEXT, cause.spanContext), carrier, otel.defaultTextMapSetter);
    return { ...input, headers: { ...input.headers, [CAUSE_TRACE_HEADER]: defaultPayloadConverter.toPayload({ ...carrier, name: cause.name }) } };
  };

  const traced = (headers: Headers): boolean => headers[SDK_TRACE_HEADER] !== undefined;

  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      startedTraced = traced(input.headers);
      return startedTraced ? sdkInbound.execute(input, next) : next(input);
    },
    handleSignal(input, next) {
      if (!traced(input.headers)) return next(input);
      return sdkInbound.handleSignal(input, (inner) => {
        rememberCause(`signal:${inner.signalName}`);
        return next(inner);
      });
    },
    validateUpdate(input, next) {
      if (!traced(input.headers)) return next(input);
      sdkInbound.validateUpdate(input, next);
    },
    handleUpdate(input, next) {
      if (!traced(input.headers)) return next(input);
      return sdkInbound.handleUpdate(input, (inner) => {
        rememberCause(`update:${inner.name}`);
        return next(inner);
      });
    },
    handleQuery(input, next) {
      return traced(input.headers) ? sdkInbound.handleQuery(input, next) : next(input);
    },
  };

  const outboundTraced = (): boolean => startedTraced || cause !== null;
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity(input, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
      return outboundTraced() ? sdkOutbound.scheduleActivity(input, (inner) => next(withCause(inner))) : next(input);
    },
    scheduleLocalActivity(input, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>) {
      return outboundTraced() ? sdkOutbound.scheduleLocalActivity(input, (inner) => next(withCause(inner))) : next(input);
    },
    startChildWorkflowExecution(input, next) {
      return outboundTraced() ? sdkOutbound.startChildWorkflowExecution(input, next) : next(input);
    },
    continueAsNew(input, next) {
      return outboundTraced() ? sdkOutbound.continueAsNew(input, next) : next(input);
    },
    signalWorkflow(input, next) {
      return outboundTraced() ? sdkOutbound.signalWorkflow(input, next) : next(input);
    },
    getLogAttributes(input, next) {
      return outboundTraced() ? sdkOutbound.getLogAttributes(input, next) : next(input);
    },
  };

  return { inbound, outbound, internals: new OpenTelemetryInternalsInterceptor() };
};
