import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A delivery the receiver accepted, after verifying its signature. */
export interface Received {
  id: string;
  body: { type: string; timestamp: string; data: Record<string, unknown> } & Record<string, unknown>;
  at: number;
}

/**
 * A real webhook receiver on loopback: it verifies each delivery's Standard Webhooks signature with the
 * `standardwebhooks` package (a bad one is answered 401), can refuse the first attempts of every event with 503, and
 * can be stopped and started again on the same port (a receiver that is down).
 */
export class WebhookReceiver {
  readonly accepted: Received[] = [];
  readonly refused: { id: string; status: number }[] = [];
  /** Attempts of each webhook-id answered so far. */
  private readonly attempts = new Map<string, number>();
  private server: Server | null = null;
  private port = 0;

  constructor(
    private readonly secret: string | null,
    /** Attempts of each event refused with 503 before one is accepted. */
    private failFirst = 0,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/orchestrator?token=receiver-secret`;
  }

  refuseFirst(attempts: number): void {
    this.failFirst = attempts;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const id = String(req.headers['webhook-id'] ?? '');
        const attempt = (this.attempts.get(id) ?? 0) + 1;
        this.attempts.set(id, attempt);
        if (attempt <= this.failFirst) return this.answer(res, id, 503);
        let payload: unknown;
        try {
          payload = this.secret ? new Webhook(this.secret).verify(body, req.headers as Record<string, string>) : JSON.parse(body);
        } catch {
          return this.answer(res, id, 401);
        }
        this.accepted.push({ id, body: payload as Received['body'], at: Date.now() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stop answering (connections are refused until `start`). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /** Accepted deliveries of one session, in the order they arrived. */
  of(sessionId: string): Received[] {
    return this.accepted.filter((r) => r.body.data?.session_id === sessionId);
  }

  async waitFor(sessionId: string, type: string, timeoutMs = 60_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(sessionId).find((r) => r.body.type === type);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} for ${sessionId} within ${timeoutMs} ms; got ${this.of(sessionId).map((r) => r.body.type).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private answer(res: import('node:http').ServerResponse, id: string, status: number): void {
    this.refused.push({ id, status });
    res.writeHead(status).end();
  }
}
