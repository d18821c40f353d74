/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return -- event data is plain JSON the tests read */
/** A small Server-Sent Events reader over fetch, for tests: it keeps every event and comment it read. */

/** One event as the stream sent it. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** An open stream. */
export class SseStream {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  private buffer = '';
  private ended = false;
  private waiters: (() => void)[] = [];

  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {}

  /** Open `url`; the response is there to inspect even when it is not a stream (a 401, a 404). */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
    const stream = new SseStream(response, controller);
    if (response.ok && response.body) void stream.pump(response.body);
    return stream;
  }

  /** Wait until `predicate` holds over the events read so far. */
  async waitFor(predicate: (events: SseEvent[]) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.ended) throw new Error(`stream ended; events: ${JSON.stringify(this.events.map((e) => e.event))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; events: ${JSON.stringify(this.events.map((e) => [e.event, e.id, e.data?.event?.kind]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Drop the connection, as a network failure would. */
  close(): void {
    this.controller.abort();
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          this.parse(this.buffer.slice(0, end));
          this.buffer = this.buffer.slice(end + 2);
        }
        this.wake();
      }
    } catch {
      // aborted
    } finally {
      this.ended = true;
      this.wake();
    }
  }

  private parse(block: string): void {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) this.events.push({ event, id, data: JSON.parse(data.join('\n')) });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
