/**
 * A short fingerprint of an update's arguments: FNV-1a (32 bits, hex) over their JSON. The workflow answers it, the
 * client compares it with the arguments it sent, and a difference means the update id (an Idempotency-Key) was used
 * before with other arguments: Temporal answers a known id with its first outcome, whatever the new arguments say.
 * Pure and deterministic, so workflow code can use it; not a cryptographic hash (it only tells mistakes apart).
 */
export function argsFingerprint(args: unknown): string {
  const text = JSON.stringify(args) ?? '';
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
