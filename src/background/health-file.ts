import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

/**
 * Rewrite `file` with the current time every `intervalMs` while `isHealthy()` holds, so a container health check
 * can tell a live worker from a hung or stopped one by the file's age. Returns a function that stops and
 * removes the file.
 */
export function startHealthFile(file: string, isHealthy: () => boolean, intervalMs = 5_000): () => void {
  const beat = (): void => {
    if (isHealthy()) void writeFile(file, `${new Date().toISOString()}\n`).catch(() => undefined);
  };
  // The first beat just after the caller has started the worker, then every interval.
  const first = setTimeout(beat, 200);
  const timer = setInterval(beat, intervalMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
    rmSync(file, { force: true });
  };
}
