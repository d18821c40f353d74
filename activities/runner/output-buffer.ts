const OMISSION = (bytes: number): string => `\n[... ${bytes} bytes of output omitted ...]\n`;

/**
 * Keeps a bounded amount of a child's combined output: the first quarter of `limitBytes` and the last
 * three quarters, so both how a run started and how it ended survive a flood of output.
 */
export class OutputBuffer {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(limitBytes: number) {
    this.headLimit = Math.floor(limitBytes / 4);
    this.tailLimit = limitBytes - this.headLimit;
  }

  /** Bytes written so far, kept or not. */
  get totalBytes(): number {
    return this.total;
  }

  /** Whether some output was dropped. */
  get truncated(): boolean {
    return this.total > this.headBytes + this.tailBytes;
  }

  write(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headLimit) {
      const take = Math.min(this.headLimit - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailBytes += rest.length;
    while (this.tailBytes > this.tailLimit) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - this.tailLimit;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
      }
    }
  }

  /** The kept output as text, with a marker where bytes were dropped. */
  toString(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    const omitted = this.total - this.headBytes - this.tailBytes;
    return omitted > 0 ? `${head}${OMISSION(omitted)}${tail}` : `${head}${tail}`;
  }
}
