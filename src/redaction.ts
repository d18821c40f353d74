/**
 * Redaction of credentials from text that leaves a process (failure messages, log lines): the values of this
 * process's own secret variables, and the usual shapes of credentials. Dependency-free, so the worker and the
 * gateway share it.
 */

/** Credential shapes and what replaces them. */
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\b(sk|pk|rk|ghp|gho|xox[abp])[-_][A-Za-z0-9_-]{12,}/g, '[redacted]'],
  [/\b([A-Za-z_]*(?:api[_-]?key|token|secret|password|passwd)[A-Za-z_]*)(["']?\s*[=:]\s*["']?)[^\s"'&,;}]{4,}/gi, '$1$2[redacted]'],
  [/\/\/[^/\s:@]+:[^/\s@]+@/g, '//[redacted]@'],
  // A URL's user part alone may be the credential (https://<token>@host/…).
  [/(https?:\/\/)[^/\s:@[\]]+@/gi, '$1[redacted]@'],
];

/** `text` with credential-looking parts (bearer tokens, API keys, `key=value` secrets, URL passwords) replaced. */
export function redactCredentials(text: string): string {
  let redacted = text;
  for (const value of secretEnvValues()) redacted = redacted.split(value).join('[redacted]');
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) redacted = redacted.replace(pattern, replacement);
  return redacted;
}

/** This process's own credential values (API_TOKEN, OPENAI_API_KEY, …), longest first. */
function secretEnvValues(): string[] {
  return Object.entries(process.env)
    .filter(([name, value]) => /(API_?KEY|TOKEN|SECRET|PASSWORD|PUSH_URL)/i.test(name) && value !== undefined && value.length >= 8)
    .map(([, value]) => value!)
    .sort((a, b) => b.length - a.length);
}

/** Redact the message (and stack) of `err` and of every error in its `cause` chain, in place. */
export function redactErrorMessages(err: unknown): void {
  for (let current = err, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth += 1) {
    current.message = redactCredentials(current.message);
    if (current.stack) current.stack = redactCredentials(current.stack);
  }
}
