import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The project's root: the nearest folder above this file whose package.json is ours. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ai-dev-orchestrator') {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root above ' + __dirname);
    dir = parent;
  }
}

/** Where `npm install` puts the Temporal binaries (see src/temporal/install-binaries.mjs). */
export function projectBinDir(): string {
  return path.join(projectRoot(), '.tools', 'temporal', 'bin');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

function pythonScriptsDirs(): string[] {
  try {
    const out = execFileSync(
      'python3',
      ['-c', "import sysconfig, os; print(sysconfig.get_path('scripts')); print(sysconfig.get_path('scripts', os.name + '_user'))"],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 },
    );
    return out.split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Thrown when a Temporal binary cannot be found anywhere it may be. */
export class BinaryNotFoundError extends Error {
  override readonly name = 'BinaryNotFoundError';
}

function locate(name: string, envVar: string): string {
  const explicit = process.env[envVar];
  if (explicit) {
    if (!isExecutable(explicit)) throw new BinaryNotFoundError(`${envVar}=${explicit} is not an executable file`);
    return explicit;
  }
  // In order, each looked at only when the ones before have nothing: asking Python for its folders starts a
  // python3 process (about 0.1 s, more on a busy machine), on every start of the dev server.
  const places = [() => [path.join(projectBinDir(), name)], () => [onPath(name)], () => pythonScriptsDirs().map((dir) => path.join(dir, name))];
  for (const place of places) {
    const found = place().find((candidate): candidate is string => candidate !== null && isExecutable(candidate));
    if (found) return found;
  }
  throw new BinaryNotFoundError(
    `Cannot find the '${name}' binary. Run 'npm install' (it installs it under .tools/), put it on PATH, or set ${envVar}.`,
  );
}

/** The Temporal CLI: `TEMPORAL_CLI_PATH`, then the project's `.tools`, then PATH, then Python's scripts folders. */
export function findTemporalCli(): string {
  return locate('temporal', 'TEMPORAL_CLI_PATH');
}

/** The time-skipping test server, found the same way (`TEMPORAL_TEST_SERVER_PATH` first). */
export function findTestServer(): string {
  return locate('temporal-test-server', 'TEMPORAL_TEST_SERVER_PATH');
}
