/**
 * Header on an activity scheduled after a traced Update or Signal (an approval, a rejection, a budget extension):
 * that handler's trace context, so the activity's span links to the request that let it run. The value is a
 * payload of a W3C trace-context carrier, as the SDK's own `_tracer-data` header is.
 */
export const CAUSE_TRACE_HEADER = '_cause-tracer-data';

/** The SDK's header with the caller's trace context (`TRACE_HEADER` of @temporalio/interceptors-opentelemetry). */
export const SDK_TRACE_HEADER = '_tracer-data';
