/** Names of variables that hold credentials, whether or not a child receives them. */
const SECRET_NAME = /(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|ACCESS_KEY)/i;

/** The worker's own credentials, named here so they are redacted whatever they are called. */
export const KNOWN_SECRET_VARIABLES = ['OPENAI_API_KEY', 'TEMPORAL_API_KEY', 'API_TOKEN', 'ANTHROPIC_API_KEY'] as const;

/** Values shorter than this are not treated as secrets (they would redact ordinary words). */
const MIN_SECRET_LENGTH = 8;

/**
 * The values to redact from output a child produced: those of the variables it was given (`passthrough`), the
 * known API key variables, and every variable of `source` whose name looks like a credential.
 */
export function secretValues(passthrough: readonly string[], source: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const names = new Set<string>([...passthrough, ...KNOWN_SECRET_VARIABLES, ...Object.keys(source).filter((name) => SECRET_NAME.test(name))]);
  const values = new Map<string, string>();
  for (const name of names) {
    const value = source[name]?.trim();
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH && !values.has(value)) values.set(value, name);
  }
  return values;
}

/** `text` with every occurrence of a secret value replaced by `[redacted NAME]`, longest values first. */
export function redactSecrets(text: string, secrets: ReadonlyMap<string, string>): string {
  let redacted = text;
  for (const [value, name] of [...secrets].sort(([a], [b]) => b.length - a.length)) {
    redacted = redacted.split(value).join(`[redacted ${name}]`);
  }
  return redacted;
}
