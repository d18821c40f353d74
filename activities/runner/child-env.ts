import path from 'node:path';

/** Variables a child may never receive, whatever a configuration asks for. */
const FORBIDDEN = /^(TEMPORAL_|ORCHESTRATOR_)/;

/** The PATH children get: system directories and the directory of the Node that runs the worker. */
export function childPath(): string {
  const dirs = ['/usr/local/bin', '/usr/bin', '/bin', path.dirname(process.execPath)];
  return [...new Set(dirs)].join(':');
}

/**
 * A scrubbed environment built from nothing: no API keys, no Temporal settings, no worker configuration;
 * only what a build or test needs, plus `passthrough` variables copied from `source` by name.
 */
export function childEnv(home: string, passthrough: readonly string[] = [], source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {
    PATH: childPath(),
    HOME: home,
    TMPDIR: home,
    LANG: 'C.UTF-8',
    CI: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    npm_config_cache: path.join(home, '.npm'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  for (const name of passthrough) {
    if (FORBIDDEN.test(name)) continue;
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Names in a comma-separated list that a child may receive; TEMPORAL_* and ORCHESTRATOR_* are refused. */
export function passthroughNames(list: string): { allowed: string[]; refused: string[] } {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return {
    allowed: names.filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !FORBIDDEN.test(name)),
    refused: names.filter((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || FORBIDDEN.test(name)),
  };
}
