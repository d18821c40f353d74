#!/usr/bin/env node
/**
 * `orchestrator`: the command line over the gateway (see docs/cli.md, or `orchestrator --help`). It loads no
 * Temporal code, so it starts fast.
 */
import { runCli } from './cli/program';

runCli(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
