import { createHash } from 'node:crypto';
import { hostOf, type WebhookTarget } from '../../workflows/webhook-definitions';

/** How a receiver of `WEBHOOK_URLS` is named in Temporal's history: `cfg:` and a hash of its URL, never the URL. */
export function configuredTarget(url: string): WebhookTarget {
  return { ref: `cfg:${createHash('sha256').update(url).digest('hex').slice(0, 24)}`, host: hostOf(url) };
}

/**
 * The URL a target stands for: a configured receiver is looked up among this worker's `WEBHOOK_URLS` (null when it
 * is no longer configured there); a session's own receiver is its URL.
 */
export function resolveTarget(target: WebhookTarget | string, configured: readonly string[]): string | null {
  const ref = typeof target === 'string' ? target : target.ref;
  if (!ref.startsWith('cfg:')) return ref;
  return configured.find((url) => configuredTarget(url).ref === ref) ?? null;
}
