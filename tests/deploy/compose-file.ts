import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../../src/temporal/binaries';

/** A service of the normalised compose file (`docker-compose config`), as far as the tests read it. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  container_name?: string;
  environment?: Record<string, string | null>;
  ports?: (string | { target: number; published?: number | string })[];
  volumes?: (string | { source?: string; target: string; type?: string })[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }>;
  restart?: string;
}

/** The normalised compose file. */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export const COMPOSE_PATH = path.join(projectRoot(), 'docker-compose.yml');

/** A clean environment, so host variables (TEMPORAL_ADDRESS, …) cannot change what the file resolves to. */
const CLEAN_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };

/**
 * Run Debian's `docker-compose` (the real compose parser; `config` needs no Docker engine) on the project's file.
 * Fails loudly when it is missing: CI installs it (`apt-get install -y docker-compose`).
 */
export function dockerCompose(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('docker-compose', ['--project-directory', projectRoot(), '-f', COMPOSE_PATH, ...args], {
    env: { ...CLEAN_ENV, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) {
    throw new Error(`cannot run docker-compose (${result.error.message}): install it with 'apt-get install -y docker-compose'`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The file as compose resolves it (anchors merged, variables interpolated), parsed from compose's own output. */
export function resolvedCompose(env: Record<string, string> = {}): ComposeFile {
  const config = dockerCompose(['config'], env);
  if (config.status !== 0) throw new Error(`docker-compose config failed:\n${config.stderr}`);
  return parseYaml(config.stdout) as ComposeFile;
}

/** Environment variable names a source file declares, found with `pattern` (first group) within `from`…`to`. */
export function declaredNames(file: string, from: string, to: string, pattern: RegExp): string[] {
  const text = readFileSync(path.join(projectRoot(), file), 'utf8');
  const start = text.indexOf(from);
  const block = text.slice(start, text.indexOf(to, start));
  return [...block.matchAll(pattern)].map((match) => match[1] ?? '');
}

/** `target` of each volume mount, with its source. */
export function mounts(service: ComposeService): { source: string; target: string; readOnly: boolean }[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume === 'string') {
      const [source = '', target = '', mode = ''] = volume.split(':');
      return { source, target, readOnly: mode.split(',').includes('ro') };
    }
    return { source: volume.source ?? '', target: volume.target, readOnly: false };
  });
}
