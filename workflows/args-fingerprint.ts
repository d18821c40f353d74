/**
 * A short fingerprint of an update's arguments: FNV-1a (32 bits, hex) over their JSON, keys sorted. The workflow answers it, the
 * client compares it with the arguments it sent, and a difference means the update id (an Idempotency-Key) was used
 * before with other arguments: Temporal answers a known id with its first outcome, whatever the new arguments say.
 * Pure and deterministic, so workflow code can use it; not a cryptographic hash (it only tells mistakes apart).
 */
export function argsFingerprint(args: unknown): string {
  // Keys sorted: a later version that builds the same arguments in another order fingerprints them alike.
  const text = JSON.stringify(canonical(args)) ?? '';
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]));
}
