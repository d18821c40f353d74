/** The environment variables the product reads, found in its source (not in tests), for the docs test. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Variables the code sets or copies for other programs, or standard ones it only passes on: not settings of ours.
 * A child's scrubbed environment (activities/runner/child-env.ts), git's (activities/git/git-command.ts), what the
 * dev server and model server inherit (src/temporal/server-child-env.ts), and key names the redactor knows.
 */
const NOT_SETTINGS = new Set([
  'PATH', 'HOME', 'USER', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'CI', 'NO_COLOR', 'FORCE_COLOR',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'PYENV_ROOT', 'PYENV_VERSION', 'VIRTUAL_ENV', 'PYTHONPATH', 'PYTHONUNBUFFERED',
  'PIP_ROOT_USER_ACTION', 'ANTHROPIC_API_KEY', 'SSH_AUTH_SOCK', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY',
]);
const isSetting = (name: string): boolean => !NOT_SETTINGS.has(name) && !(/^GIT_/.test(name) && name !== 'GIT_PUSH_URL');

const NAME = '[A-Z][A-Z0-9_]*';
/** `env.NAME`, `process.env.NAME`, `env['NAME']`. */
const ENV_READ = new RegExp(`\\benv(?:\\.|\\[\\s*['"])(${NAME})`, 'g');
/** An object key in SCREAMING_CASE (a zod shape of variables, a table of overrides). */
const OBJECT_KEY = new RegExp(`^\\s*(${NAME})\\s*:`, 'gm');
/** A quoted SCREAMING_SNAKE literal (a variable name passed to a lookup). */
const QUOTED = /['"`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"`]/g;
/** `${NAME:-default}` or `${NAME}` in shell scripts and compose files. */
const SHELL = new RegExp(`\\$\\{(${NAME})[:}-]`, 'g');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|mjs|sh)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function matches(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((match) => match[1] ?? '');
}

/** Every setting the product's code, scripts and compose file read, with one file that reads each. */
export async function settingsReadByCode(root: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const add = (names: string[], file: string): void => {
    for (const name of names) if (isSetting(name) && !found.has(name)) found.set(name, path.relative(root, file));
  };
  const files = (await Promise.all(['src', 'activities', 'workflows'].map((dir) => sourceFiles(path.join(root, dir))))).flat();
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    if (file.endsWith('.sh')) {
      add(matches(text, SHELL), file);
    } else if (/process\.env|ProcessEnv/.test(text)) {
      add([...matches(text, ENV_READ), ...matches(text, OBJECT_KEY), ...matches(text, QUOTED)], file);
    }
  }
  const compose = path.join(root, 'docker-compose.yml');
  add(matches(await readFile(compose, 'utf8'), SHELL), compose);
  return found;
}
