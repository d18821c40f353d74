/** The gateway's Server-Sent Events (`GET /sessions/{id}/events`) as an async iterable, for `watch` and `logs -f`. */
import { CliError, ExitCode, exitCodeForStatus } from './exit-codes';

/** One event of the stream. */
export interface StreamEvent {
  event: string;
  /** Parsed JSON of the `data` field. */
  data: unknown;
  /** The event's id (positioned events only). */
  id: string | null;
}

/** Where the stream is and how long it may stay unreachable. */
export interface EventStreamRequest {
  /** The full URL of the events route. */
  url: URL;
  token?: string;
  /** Resume after this event id. */
  lastEventId?: string;
  /** Delay before reconnecting after a dropped connection. */
  reconnectMs: number;
  /** How long the gateway may stay unreachable before giving up. */
  unreachableGraceMs: number;
  /** Told when the stream is being re-established. */
  onRetry?(message: string): void;
  signal: AbortSignal;
}

/**
 * The events of a session's stream, reconnecting (with Last-Event-ID, so nothing repeats or goes missing) when the
 * connection drops, until `signal` aborts. An HTTP error (404, 401) is a CliError at once; an unreachable gateway
 * one only after `unreachableGraceMs`.
 */
export async function* sessionEvents(request: EventStreamRequest): AsyncGenerator<StreamEvent> {
  let lastId = request.lastEventId ?? null;
  let firstFailure: number | null = null;
  while (!request.signal.aborted) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    if (lastId) headers['last-event-id'] = lastId;
    let response: Response;
    try {
      response = await fetch(request.url, { headers, signal: request.signal });
    } catch (err) {
      if (request.signal.aborted) return;
      firstFailure ??= Date.now();
      if (Date.now() - firstFailure >= request.unreachableGraceMs) {
        throw new CliError(ExitCode.UNREACHABLE, 'unreachable', `Cannot reach the gateway's event stream at ${request.url.origin}`, { cause: err });
      }
      request.onRetry?.('the gateway is unreachable; retrying');
      await pause(request.reconnectMs, request.signal);
      continue;
    }
    if (!response.ok || !response.body) {
      const text = await response.text().catch(() => '');
      let message = `${response.status} ${response.statusText}`;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON
      }
      throw new CliError(exitCodeForStatus(response.status), `http_${response.status}`, message);
    }
    firstFailure = null;
    try {
      for await (const event of parse(response.body)) {
        if (event.id) lastId = event.id;
        yield event;
      }
    } catch (err) {
      if (request.signal.aborted) return;
      if (err instanceof CliError) throw err;
    }
    if (request.signal.aborted) return;
    request.onRetry?.('the event stream closed; reconnecting');
    await pause(request.reconnectMs, request.signal);
  }
}

/** Events of one SSE response body (comments and `retry:` skipped). */
async function* parse(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let id: string | null = null;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) as unknown, id };
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
