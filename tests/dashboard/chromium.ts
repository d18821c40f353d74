import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium; never a browser download. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or null when they can. Under CI=true a missing chromium is a
 * failure, not a skip: CI must install it (`apt-get install -y chromium`).
 */
export function chromiumUnavailable(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  const reason = `${CHROMIUM_PATH} not found: apt-get update && apt-get install -y chromium`;
  if (process.env.CI === 'true') throw new Error(`browser tests need chromium under CI: ${reason}`);
  return reason;
}

/** Headless chromium with the flags this machine's closed network needs (playwright makes a fresh profile). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}
