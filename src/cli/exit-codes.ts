/** Process exit codes of the CLI: scripts branch on them, `--help` lists them. */
export const ExitCode = {
  /** The command did what it was asked. */
  OK: 0,
  /** Anything unexpected: a gateway error (500) or a bug. */
  ERROR: 1,
  /** Bad input: a usage error, or the gateway refused the request as invalid (400, 413, 415). */
  BAD_INPUT: 2,
  /** The session (or artifact) does not exist (404). */
  NOT_FOUND: 3,
  /** Not possible in the session's state: not in review, already final, too many sessions (409, 422, 429). */
  INVALID_OPERATION: 4,
  /** The gateway, or Temporal or a worker behind it, cannot be reached or did not answer in time (network, 502-504). */
  UNREACHABLE: 5,
  /** The gateway refused the token (401, 403): set API_TOKEN. */
  UNAUTHORIZED: 6,
  /** `watch` only: the session ended failed, expired or cancelled. */
  SESSION_UNSUCCESSFUL: 7,
} as const;

/** One of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table printed at the end of `--help`. */
export const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  unexpected error (gateway 500, bug)
  2  bad input: usage error, or the gateway answered 400/413/415
  3  not found: no such session or artifact (404)
  4  invalid operation in the session's state: not in review, already final, too many sessions (409/422/429)
  5  unreachable: the gateway, Temporal or a worker cannot be reached or did not answer in time (network, 502-504)
  6  unauthorized: the gateway refused the token (401/403); set API_TOKEN
  7  watch: the session ended failed, expired or cancelled`;

/** A failure the CLI reports with a code (snake_case, as the gateway's) and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCodeValue,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The exit code that an HTTP error status from the gateway stands for. */
export function exitCodeForStatus(status: number): ExitCodeValue {
  if (status === 400 || status === 413 || status === 415) return ExitCode.BAD_INPUT;
  if (status === 401 || status === 403) return ExitCode.UNAUTHORIZED;
  if (status === 404) return ExitCode.NOT_FOUND;
  if (status === 409 || status === 422 || status === 429) return ExitCode.INVALID_OPERATION;
  if (status === 502 || status === 503 || status === 504) return ExitCode.UNREACHABLE;
  return ExitCode.ERROR;
}
