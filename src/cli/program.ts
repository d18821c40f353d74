/** The command line: subcommands, options, help and exit codes (commander). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import * as commands from './commands';
import { CliError, EXIT_CODE_HELP, ExitCode, type ExitCodeValue } from './exit-codes';
import { GatewayClient } from './gateway-client';
import * as gitCommands from './git-commands';
import { Output, type OutStream } from './output';
import {
  DEFAULT_REJECT_TARGET,
  DOCUMENT_NAMES,
  type DocumentName,
  MAX_BUDGET_EXTENSION_TOKENS,
  REJECT_TARGETS,
  SESSION_STATUSES,
} from '../../workflows/vocabulary';

/** Where the CLI reads its environment and writes its output. */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
}

/** The gateway the CLI talks to when neither ORCHESTRATOR_URL nor --url says otherwise. */
export const DEFAULT_GATEWAY_URL = 'http://localhost:8080';

interface GlobalOptions {
  json?: boolean;
  url: string;
  timeout: number;
}

const ENVIRONMENT_HELP = `Environment:
  ORCHESTRATOR_URL  the gateway's base URL (default ${DEFAULT_GATEWAY_URL}); --url overrides it
  API_TOKEN         bearer token, when the gateway requires one`;

function integer(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return value;
  };
}

function version(): string {
  try {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Run the CLI on `argv` (as `process.argv`: node, script, then arguments) and return the exit code; never
 * calls `process.exit`, so the caller can let pending output drain.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  let result: ExitCodeValue = ExitCode.OK;
  let json = argv.includes('--json');
  const program = buildProgram(io, async (command, fn) => {
    const options = command.optsWithGlobals<GlobalOptions>();
    json = options.json === true;
    const out = new Output(io.stdout, io.stderr, { json });
    const client = new GatewayClient({ baseUrl: options.url, token: io.env.API_TOKEN || undefined, timeoutMs: options.timeout * 1000 });
    try {
      result = await fn({ client, out, json });
    } finally {
      out.done();
    }
  });
  try {
    await program.parseAsync([...argv]);
    return result;
  } catch (err) {
    return reportFailure(err, io, json);
  }
}

type Runner = (command: Command, fn: (ctx: commands.CommandContext) => Promise<ExitCodeValue>) => Promise<void>;

function buildProgram(io: CliIo, run: Runner): Command {
  const program = new Command('orchestrator')
    .description('Start, follow and review AI development sessions through the orchestrator gateway.')
    .version(version(), '-V, --version')
    .option('--json', 'print JSON for scripts instead of text (errors too, on stderr)')
    .option('--url <url>', 'the gateway base URL', io.env.ORCHESTRATOR_URL || DEFAULT_GATEWAY_URL)
    .option('--timeout <seconds>', 'bound on each request', integer(1, 3600), 60)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODE_HELP}\n`);

  program
    .command('start')
    .description('start a session on a mission (the words are joined)')
    .argument('<mission...>', 'what to build')
    .option('-p, --project <name>', 'project name, for grouping and listing')
    .option('--idempotency-key <key>', 'a retry with the same key returns the same session instead of starting another')
    .action((mission: string[], options: { project?: string; idempotencyKey?: string }, command: Command) =>
      run(command, (ctx) => commands.start(ctx, mission.join(' '), options)),
    );

  program
    .command('status')
    .description("show a session's status, phase and details")
    .argument('<id>', 'session id (sess_…)')
    .action((id: string, _options: unknown, command: Command) => run(command, (ctx) => commands.status(ctx, id)));

  program
    .command('list')
    .description('list sessions, newest first')
    .addOption(new Option('-s, --status <status>', 'only sessions with this status').choices(SESSION_STATUSES))
    .option('-p, --project <name>', 'only sessions of this project')
    .option('-l, --limit <n>', 'at most this many (1-1000)', integer(1, 1000))
    .option('--cursor <cursor>', 'continue a previous listing (printed after a full page)')
    .action((options: { status?: string; project?: string; limit?: number; cursor?: string }, command: Command) =>
      run(command, (ctx) => commands.list(ctx, options)),
    );

  program
    .command('approve')
    .description('approve a session in review: it goes on to the engineer')
    .argument('<id>', 'session id')
    .option('--by <name>', 'who decides, for the audit trail (default: your user name)')
    .option('--round <n>', 'the review round you read (status prints it); another round is refused and nothing changes', integer(1, 1_000_000))
    .option('--idempotency-key <key>', 'repeat a decision safely (printed when a decision could not be confirmed)')
    .action((id: string, options: { by?: string; round?: number; idempotencyKey?: string }, command: Command) =>
      run(command, (ctx) => commands.approve(ctx, id, { ...options, by: options.by ?? commands.defaultDecider(io.env) })),
    );

  program
    .command('reject')
    .description('reject a session in review with feedback: it goes back to the architect (or the PM)')
    .argument('<id>', 'session id')
    .requiredOption('-f, --feedback <text>', 'what to change')
    .addOption(new Option('--to <phase>', 'the phase that runs again').choices(REJECT_TARGETS).default(DEFAULT_REJECT_TARGET))
    .option('--by <name>', 'who decides, for the audit trail (default: your user name)')
    .option('--round <n>', 'the review round you read (status prints it); another round is refused and nothing changes', integer(1, 1_000_000))
    .option('--idempotency-key <key>', 'repeat a decision safely')
    .action((id: string, options: { feedback: string; to: string; by?: string; round?: number; idempotencyKey?: string }, command: Command) =>
      run(command, (ctx) => commands.reject(ctx, id, { ...options, by: options.by ?? commands.defaultDecider(io.env) })),
    );

  program
    .command('budget')
    .description("raise a session's token cap; a session paused at its cap resumes where it stopped")
    .argument('<id>', 'session id')
    .requiredOption('--add <tokens>', 'tokens to add to the cap', integer(1, MAX_BUDGET_EXTENSION_TOKENS))
    .option('--by <name>', 'who extends, for the audit trail (default: your user name)')
    .option('--idempotency-key <key>', 'repeat an extension safely (it never adds twice)')
    .action((id: string, options: { add: number; by?: string; idempotencyKey?: string }, command: Command) =>
      run(command, (ctx) => commands.budget(ctx, id, { ...options, by: options.by ?? commands.defaultDecider(io.env) })),
    );

  program
    .command('cancel')
    .description('cancel a session that has not ended (its running phase is cancelled too)')
    .argument('<id>', 'session id')
    .action((id: string, _options: unknown, command: Command) => run(command, (ctx) => commands.cancel(ctx, id)));

  program
    .command('artifacts')
    .description("list a session's artifacts, or print one")
    .argument('<id>', 'session id')
    .addArgument(new Argument('[name]', 'print this artifact').choices(DOCUMENT_NAMES))
    .action((id: string, name: DocumentName | undefined, _options: unknown, command: Command) =>
      run(command, (ctx) => commands.artifacts(ctx, id, name)),
    );

  program
    .command('history')
    .description('show the audit trail: phases with their times, decisions, artifact revisions')
    .argument('<id>', 'session id')
    .action((id: string, _options: unknown, command: Command) => run(command, (ctx) => commands.history(ctx, id)));

  program
    .command('logs')
    .description("print a session's log")
    .argument('<id>', 'session id')
    .option('-n, --lines <n>', 'how many of the last lines (1-10000)', integer(1, 10_000), 50)
    .option('-f, --follow', 'keep printing new lines until the session ends')
    .option('--interval <ms>', 'time between two polls with --follow', integer(100, 60_000), 1_000)
    .action((id: string, options: { lines: number; follow?: boolean; interval: number }, command: Command) =>
      run(command, (ctx) => commands.logs(ctx, id, { lines: options.lines, follow: options.follow === true, intervalMs: options.interval })),
    );

  program
    .command('watch')
    .description('print each phase change until the session needs review or ends (exit 7 if it ended unsuccessfully)')
    .argument('<id>', 'session id')
    .option('--interval <ms>', 'time between two polls', integer(100, 60_000), 1_000)
    .action((id: string, options: { interval: number }, command: Command) =>
      run(command, (ctx) => commands.watch(ctx, id, { intervalMs: options.interval })),
    );

  program
    .command('diff')
    .description("print what a session's work changed between two refs of its git history (commit ids, review-1-approved, main~2)")
    .argument('<id>', 'session id')
    .option('--from <ref>', 'diff from this ref (default: the parent of --to)')
    .option('--to <ref>', 'diff to this ref (default: the newest commit)')
    .action((id: string, options: { from?: string; to?: string }, command: Command) => run(command, (ctx) => gitCommands.diff(ctx, id, options)));

  program
    .command('export')
    .description("save a session's whole git history as a bundle (git clone file.bundle restores it)")
    .argument('<id>', 'session id')
    .requiredOption('-o, --output <file>', 'where to write the bundle')
    .action((id: string, options: { output: string }, command: Command) => run(command, (ctx) => gitCommands.exportBundle(ctx, id, options.output)));

  return program;
}

function reportFailure(err: unknown, io: CliIo, json: boolean): ExitCodeValue {
  if (err instanceof CommanderError) {
    // Help and version are successes; every other parser error is a usage error commander already printed.
    return err.exitCode === 0 ? ExitCode.OK : ExitCode.BAD_INPUT;
  }
  const failure = err instanceof CliError ? err : new CliError(ExitCode.ERROR, 'internal_error', err instanceof Error ? err.message : String(err));
  if (json) {
    io.stderr.write(`${JSON.stringify({ error: { code: failure.code, message: failure.message, exit_code: failure.exitCode } })}\n`);
  } else {
    io.stderr.write(`error: ${failure.message}\n`);
  }
  return failure.exitCode;
}
