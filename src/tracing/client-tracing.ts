import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import { currentTracing, type Tracing } from './tracing';

/**
 * Client interceptors for the tracing this process started: workflow start, update, signal and query carry the
 * caller's trace context to the workflow. None when tracing is off.
 */
export function clientTracingInterceptors(tracing: Tracing | null = currentTracing()): ClientInterceptors {
  return tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : {};
}
