/**
 * The environment of a server this process starts (the Temporal dev server, the local model server): the variables
 * a program needs to run and nothing of the orchestrator's own, so no key or secret (OPENAI_API_KEY, API_TOKEN,
 * WEBHOOK_SECRET, GIT_PUSH_URL…) reaches a process that does not use it.
 */
const PASSED = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'PYENV_ROOT', 'PYENV_VERSION', 'VIRTUAL_ENV'];

export function serverChildEnv(extra: Record<string, string> = {}, from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED) if (from[name] !== undefined) env[name] = from[name];
  return { ...env, ...extra };
}
