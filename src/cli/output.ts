/** A stream the CLI writes to; `isTTY` and `columns` as Node's TTY streams have them. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';

/**
 * Where results go (stdout) and where the progress line goes (stderr). The progress line, a spinner and a
 * short text, is drawn only when stdout and stderr are both terminals and the output is not JSON, so
 * pipes, files and scripts never see a control character.
 */
export class Output {
  private text: string | null = null;
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Whether the progress line is drawn at all. */
  readonly progressEnabled: boolean;

  constructor(
    readonly stdout: OutStream,
    readonly stderr: OutStream,
    options: { json: boolean },
  ) {
    this.progressEnabled = !options.json && stdout.isTTY === true && stderr.isTTY === true;
  }

  /** Print one line of results (the progress line, if any, is redrawn below it). */
  line(text = ''): void {
    this.clear();
    this.stdout.write(`${text}\n`);
    this.draw();
  }

  /** Print text exactly as given (an artifact's content). */
  raw(text: string): void {
    this.clear();
    this.stdout.write(text);
    this.draw();
  }

  /** Show (or change) the progress line. */
  progress(text: string): void {
    if (!this.progressEnabled) return;
    this.text = text;
    if (!this.timer) {
      this.timer = setInterval(() => {
        this.frame = (this.frame + 1) % FRAMES.length;
        this.draw();
      }, 80);
      this.timer.unref();
    }
    this.draw();
  }

  /** Remove the progress line. */
  done(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clear();
    this.text = null;
  }

  /** Run `fn` with a progress line shown while it takes longer than a blink. */
  async while<T>(text: string, fn: () => Promise<T>): Promise<T> {
    if (!this.progressEnabled) return fn();
    const show = setTimeout(() => this.progress(text), 150);
    try {
      return await fn();
    } finally {
      clearTimeout(show);
      this.done();
    }
  }

  private draw(): void {
    if (this.text === null) return;
    const width = Math.max(10, (this.stderr.columns || 80) - 1);
    this.stderr.write(`${CLEAR_LINE}${FRAMES[this.frame]} ${this.text}`.slice(0, width + CLEAR_LINE.length));
  }

  private clear(): void {
    if (this.text !== null) this.stderr.write(CLEAR_LINE);
  }
}
