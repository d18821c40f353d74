/**
 * schemathesis (PyPI, pinned) in `.tools/schemathesis` (a venv made on first use, so a fresh clone gets it), and
 * one run of it against a gateway's served `/openapi.json`, summarised from its NDJSON report.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/temporal/binaries';

export const SCHEMATHESIS_VERSION = '4.32.5';
const VENV = path.join(projectRoot(), '.tools', 'schemathesis');
const BIN = path.join(VENV, 'bin', 'schemathesis');
const run = promisify(execFile);

/** The schemathesis executable, installed first when missing or of another version. */
export async function ensureSchemathesis(): Promise<string> {
  const installed = existsSync(BIN) ? await run(BIN, ['--version']).then((r) => r.stdout, () => '') : '';
  if (installed.includes(SCHEMATHESIS_VERSION)) return BIN;
  const python = process.env.PYTHON ?? 'python3';
  await run(python, ['-m', 'venv', '--clear', VENV]).catch((err: unknown) => {
    throw new Error(`cannot make a Python venv in ${VENV} for schemathesis (on Debian: apt-get install python3-venv)`, { cause: err });
  });
  await run(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], {
    env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return BIN;
}

/** What to run. */
export interface SchemathesisOptions {
  /** The gateway's base URL; the schema is its `/openapi.json`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Test cases per operation and phase. */
  maxExamples: number;
  seed: number;
  /** Concurrent schemathesis workers. */
  workers: number;
  /** Beyond this the run is killed (and reported with exit code 124). @default 240000 */
  timeoutMs?: number;
}

/** What a run found. */
export interface SchemathesisResult {
  exitCode: number;
  /** HTTP requests it sent (interactions in its report). */
  requests: number;
  /** Responses with a 5xx status. */
  serverErrors: number;
  /** `check on METHOD path` of every failed check, once each. */
  failures: string[];
  /** The last lines of its console output (its summary). */
  summary: string;
  /** Its full console output. */
  output: string;
  seconds: number;
}

interface ScenarioFinished {
  recorder?: {
    label: string;
    checks?: Record<string, { name: string; status: string }[]>;
    interactions?: Record<string, { response?: { status_code: number } | null }>;
  };
}

/** Run every check and phase against the gateway; the configuration file beside this suite says what is tuned and why. */
export async function runSchemathesis(bin: string, options: SchemathesisOptions): Promise<SchemathesisResult> {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'schemathesis-report-'));
  const args = [
    '--config-file',
    path.join(projectRoot(), 'tests', 'gateway', 'schemathesis.toml'),
    '--no-color',
    'run',
    `${options.baseUrl}/openapi.json`,
    '--checks',
    'all',
    '--max-examples',
    String(options.maxExamples),
    '--seed',
    String(options.seed),
    '--workers',
    String(options.workers),
    // Above the gateway's own longest deadline (a decision's GATEWAY_DECISION_TIMEOUT_MS, 10 s), so a slow answer is
    // its 503, not a client-side network error. Event streams have 5 s of their own (schemathesis.toml): the pinned
    // schemathesis takes an operation's own request-timeout over this one.
    '--request-timeout',
    '20',
    '--report',
    'ndjson',
    '--report-dir',
    reportDir,
  ];
  if (options.token) args.push('--header', `Authorization: Bearer ${options.token}`);
  const started = Date.now();
  try {
    const child = spawn(bin, args, { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const limit = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    const exitCode = await new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(signal === 'SIGKILL' ? 124 : (code ?? 1))));
    clearTimeout(limit);
    const seconds = (Date.now() - started) / 1000;
    const report = (await readdir(reportDir)).find((file) => file.endsWith('.ndjson'));
    const counts = report ? summarise(await readFile(path.join(reportDir, report), 'utf8')) : { requests: 0, serverErrors: 0, failures: [] };
    const summaryStart = output.lastIndexOf('SUMMARY');
    return { exitCode, ...counts, summary: summaryStart < 0 ? output.slice(-2_000) : output.slice(summaryStart), output, seconds };
  } finally {
    if (!process.env.KEEP_SCHEMATHESIS_REPORT) await rm(reportDir, { recursive: true, force: true });
  }
}

function summarise(ndjson: string): Pick<SchemathesisResult, 'requests' | 'serverErrors' | 'failures'> {
  let requests = 0;
  let serverErrors = 0;
  const failures = new Set<string>();
  for (const line of ndjson.split('\n')) {
    if (!line.startsWith('{"ScenarioFinished"')) continue;
    const { recorder } = (JSON.parse(line) as { ScenarioFinished: ScenarioFinished }).ScenarioFinished;
    if (!recorder) continue;
    for (const interaction of Object.values(recorder.interactions ?? {})) {
      requests += 1;
      if ((interaction.response?.status_code ?? 0) >= 500) serverErrors += 1;
    }
    for (const checks of Object.values(recorder.checks ?? {})) {
      for (const check of checks) if (check.status === 'failure') failures.add(`${check.name} on ${recorder.label}`);
    }
  }
  return { requests, serverErrors, failures: [...failures].sort() };
}
