import { type EventStreamRequest, sessionEvents, type StreamEvent } from './event-stream-client';
import { CliError, ExitCode, exitCodeForStatus } from './exit-codes';
import type { ErrorJson } from '../gateway/wire';

/** Where the gateway is and how to talk to it. */
export interface GatewayClientOptions {
  /** The gateway's base URL, e.g. `http://localhost:8080`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** Bound on one request, in milliseconds. */
  timeoutMs: number;
}

/** Options of one request. */
export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A thin HTTP client of the gateway: every non-2xx answer and every network failure becomes a {@link CliError}. */
export class GatewayClient {
  private readonly baseUrl: URL;

  constructor(private readonly options: GatewayClientOptions) {
    this.baseUrl = parseBaseUrl(options.baseUrl);
  }

  /** The gateway's base URL, as used. */
  get url(): string {
    return this.baseUrl.href.replace(/\/$/, '');
  }

  /** A request whose answer is JSON. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    return (await response.json()) as T;
  }

  /** A request whose answer is text (logs, artifact contents). */
  async text(method: string, path: string, options: RequestOptions = {}): Promise<string> {
    const response = await this.send(method, path, options);
    return response.text();
  }

  /** A request whose answer is bytes (a git bundle). */
  async bytes(method: string, path: string, options: RequestOptions = {}): Promise<Buffer> {
    const response = await this.send(method, path, options);
    return Buffer.from(await response.arrayBuffer());
  }

  /** The Server-Sent Events of `path`, reconnecting as {@link sessionEvents} says. */
  events(path: string, options: Omit<EventStreamRequest, 'url' | 'token'>): AsyncGenerator<StreamEvent> {
    return sessionEvents({ ...options, url: new URL(path.replace(/^\//, ''), this.baseUrl), token: this.options.token });
  }

  /** A request whose answer is text, with the answer's headers. */
  async textWithHeaders(method: string, path: string, options: RequestOptions = {}): Promise<{ text: string; headers: Headers }> {
    const response = await this.send(method, path, options);
    return { text: await response.text(), headers: response.headers };
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9', ...options.headers };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      throw unreachable(err, this.url, this.options.timeoutMs);
    }
    if (response.ok) return response;
    throw await errorFromResponse(response);
  }
}

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(ExitCode.BAD_INPUT, 'bad_url', `Not a URL: ${JSON.stringify(raw)} (ORCHESTRATOR_URL or --url)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(ExitCode.BAD_INPUT, 'bad_url', `The gateway URL must be http(s): ${raw}`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function unreachable(err: unknown, url: string, timeoutMs: number): CliError {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new CliError(ExitCode.UNREACHABLE, 'timeout', `The gateway at ${url} did not answer within ${timeoutMs / 1000} s`, { cause: err });
  }
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  const reason = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return new CliError(
    ExitCode.UNREACHABLE,
    'unreachable',
    `Cannot reach the gateway at ${url} (${reason}). Is it running? Set ORCHESTRATOR_URL or --url.`,
    { cause: err },
  );
}

async function errorFromResponse(response: Response): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let code = `http_${response.status}`;
  let message = text.trim().slice(0, 500) || `${response.status} ${response.statusText}`;
  try {
    const body = JSON.parse(text) as Partial<ErrorJson>;
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    // not the gateway's JSON error body (a proxy in between, say): keep the text
  }
  if (response.status === 401) message += ' Set API_TOKEN to the gateway\'s token.';
  const retryKey = response.headers.get('idempotency-key');
  if (response.status === 503 && retryKey) message += ` Retry safely with --idempotency-key ${retryKey}.`;
  return new CliError(exitCodeForStatus(response.status), code, message);
}
