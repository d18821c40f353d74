import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { GatewayDeps } from '../../src/gateway/app';
import { buildOpenApiDocument } from '../../src/gateway/openapi';
import { type RunningGateway, startGateway } from '../../src/gateway/server';
import { Orchestrator, type TemporalReachability } from '../../src/orchestration/orchestrator';
import { type HarnessOptions, SessionHarness } from '../helpers/session-harness';
import { OpenApiChecker } from './openapi-checker';

/** The longest a test request may wait for the gateway's answer. */
const REQUEST_LIMIT_MS = 90_000;

/** A response as the tests read it. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Options of one request. */
export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, with `contentType`. */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Bearer token. */
  token?: string;
  /** Skip the OpenAPI check (for paths the document rightly does not have). */
  unchecked?: boolean;
}

/** Options of a gateway harness: the session harness's, plus the gateway's. */
export interface GatewayHarnessOptions extends HarnessOptions {
  gateway?: Partial<Omit<GatewayDeps, 'orchestrator'>>;
}

/** One OpenAPI checker for the whole file: it also records which operations and statuses were exercised. */
export const openApi = new OpenApiChecker(buildOpenApiDocument() as ConstructorParameters<typeof OpenApiChecker>[0]);

/**
 * The real stack behind HTTP: the suite's (or a given) Temporal server, a worker on a private task queue and a
 * listening gateway. Every response is checked against the OpenAPI document; request logs are captured.
 */
export class GatewayHarness {
  private constructor(
    readonly sessions: SessionHarness,
    private gateway: RunningGateway,
    private readonly options: GatewayHarnessOptions,
    private gatewayOrchestrator: Orchestrator,
    /** Log lines the gateway wrote, parsed. */
    readonly logs: Record<string, unknown>[],
  ) {}

  static async start(options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
    const sessions = await SessionHarness.start(options);
    const logs: Record<string, unknown>[] = [];
    const { gateway, orchestrator } = await GatewayHarness.listen(sessions, options, logs);
    return new GatewayHarness(sessions, gateway, options, orchestrator, logs);
  }

  /** A gateway of its own (own Orchestrator and connection), as a separate gateway process would have. */
  private static async listen(
    sessions: SessionHarness,
    options: GatewayHarnessOptions,
    logs: Record<string, unknown>[],
  ): Promise<{ gateway: RunningGateway; orchestrator: Orchestrator }> {
    const orchestrator = new Orchestrator(sessions.orchestrator.config);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    // apiToken listed so that an API_TOKEN in the environment never leaks into a test that expects none.
    // Metrics fresh on every scrape, with room for the count queries on a server other test files keep busy.
    const deps = { orchestrator, logger, metrics: { cacheMs: 0, timeoutMs: 30_000 }, apiToken: undefined, ...options.gateway };
    const gateway = await startGateway(deps, 0, '127.0.0.1', {
      shutdownTimeoutMs: 5_000,
    });
    return { gateway, orchestrator };
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.gateway.port}`;
  }

  get orchestrator(): Orchestrator {
    return this.sessions.orchestrator;
  }

  /** Stop the gateway (gracefully) and start a new one: a restart of the gateway process. */
  async restartGateway(): Promise<void> {
    await this.gateway.close();
    await this.gatewayOrchestrator.close();
    const { gateway, orchestrator } = await GatewayHarness.listen(this.sessions, this.options, this.logs);
    this.gateway = gateway;
    this.gatewayOrchestrator = orchestrator;
  }

  /** What the gateway's own Orchestrator knows about reaching Temporal (its fast-path counter included). */
  gatewayReachability(): TemporalReachability {
    return this.gatewayOrchestrator.reachability;
  }

  /** The gateway as a running server (for shutdown tests). */
  get running(): RunningGateway {
    return this.gateway;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    } else if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    // A request the gateway never answers fails the test instead of keeping the suite open.
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(REQUEST_LIMIT_MS) });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    if (!options.unchecked) openApi.check(method, new URL(path, this.baseUrl).pathname, response.status, contentType, text);
    const json: unknown = contentType?.startsWith('application/json') ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, text, json };
  }

  /** Poll GET /sessions/{id} until `predicate` holds. */
  async waitFor(id: string, predicate: (session: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      const response = await this.request('GET', `/sessions/${id}`, { token: this.options.gateway?.apiToken });
      last = response.json;
      if (response.status === 200 && predicate(response.json as Record<string, unknown>)) return response.json as Record<string, unknown>;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${id}; last seen ${JSON.stringify(last)}`);
  }

  waitForStatus(id: string, status: string, timeoutMs?: number): Promise<Record<string, unknown>> {
    return this.waitFor(id, (session) => session.status === status, timeoutMs);
  }

  /**
   * Scrape /metrics until `ready(text)` holds (session figures refresh in the background, so a scrape may answer
   * from the previous figures); returns the last text either way, for the test's own assertions.
   */
  async scrapeUntil(ready: (text: string) => boolean, timeoutMs = 90_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < deadline) {
      text = (await this.request('GET', '/metrics', { token: this.options.gateway?.apiToken })).text;
      if (ready(text)) return text;
      await sleep(100);
    }
    return text;
  }

  async close(): Promise<void> {
    await this.gateway.close();
    await this.gatewayOrchestrator.close();
    await this.sessions.close();
  }
}

/** The value of a Prometheus series in exposition text (labels as `{a="b"}` exactly as printed), or null. */
export function metricValue(text: string, series: string): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return null;
}
