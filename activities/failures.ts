import { ApplicationFailure } from '@temporalio/common';

/** Failure types agent activities raise; the non-retryable ones end the phase (and so the session) at once. */
export const AgentFailureType = {
  /** A provider or sandbox setting is missing or wrong. Not retried. */
  CONFIG: 'AgentConfigError',
  /** The model's reply could not be used (not JSON, wrong shape, unsafe paths). Not retried. */
  INVALID_MODEL_OUTPUT: 'InvalidModelOutput',
  /** The provider refused the request (4xx other than 408, 409, 429). Not retried. */
  PROVIDER_REJECTED: 'ProviderRequestRejected',
  /** Network error, timeout or 5xx from the provider. Retried with backoff. */
  PROVIDER_UNAVAILABLE: 'ProviderUnavailable',
  /** 429 from the provider. Retried, after its Retry-After when it sends one. */
  PROVIDER_RATE_LIMITED: 'ProviderRateLimited',
  /** The phase would run model-written code and RUN_MODEL_CODE is off. Not retried. */
  MODEL_CODE_NOT_ALLOWED: 'ModelCodeNotAllowed',
  /** Children cannot run safely here (no unprivileged user, bubblewrap required but missing). An environment fault. */
  SANDBOX_UNAVAILABLE: 'SandboxUnavailable',
  /** The work directory cannot be reached or written by the worker or its children. An environment fault. */
  WORK_DIR_UNREACHABLE: 'WorkDirUnreachable',
  /** The disk is full, over quota or read-only. An environment fault. */
  DISK_UNAVAILABLE: 'DiskUnavailable',
  /** The external agent command is not installed where the worker looks, or its sandboxed user cannot execute it. An environment fault. */
  AGENT_COMMAND_NOT_FOUND: 'AgentCommandNotFound',
  /**
   * The project's test runner (pytest, say) is not installed where QA's runs find it. An environment fault: the
   * engineer cannot fix it and an operator can, so QA waits for the fix (its report says so) instead of a verdict.
   */
  TEST_RUNNER_NOT_FOUND: 'TestRunnerNotFound',
  /** `git` is not installed where the worker looks, so the session's history cannot be committed. An environment fault. */
  GIT_UNAVAILABLE: 'GitUnavailable',
  /** Pushing a completed session to `GIT_PUSH_URL` failed (host down, credentials refused). An environment fault. */
  GIT_PUSH_FAILED: 'GitPushFailed',
  /** A path would leave the session's work directory. Not retried. */
  PATH_ESCAPE: 'PathEscape',
  /** The scaffold script failed. Not retried: the architect's script is wrong, rerunning will not fix it. */
  SCAFFOLD_FAILED: 'ScaffoldFailed',
  /** The external agent command exited non-zero (retried, at most 5 attempts) or timed out (not retried). */
  AGENT_COMMAND_FAILED: 'AgentCommandFailed',
} as const;

export type AgentFailureTypeName = (typeof AgentFailureType)[keyof typeof AgentFailureType];

/**
 * Faults an operator can fix without touching the session: they are retried, at most 5 minutes apart, for the
 * session's whole retry window, while the session stays `running`. Every other failure gets
 * {@link OTHER_FAILURE_MAX_ATTEMPTS} attempts.
 */
export const ENVIRONMENT_FAULT_TYPES: ReadonlySet<string> = new Set<AgentFailureTypeName>([
  AgentFailureType.SANDBOX_UNAVAILABLE,
  AgentFailureType.WORK_DIR_UNREACHABLE,
  AgentFailureType.DISK_UNAVAILABLE,
  AgentFailureType.PROVIDER_UNAVAILABLE,
  AgentFailureType.PROVIDER_RATE_LIMITED,
  AgentFailureType.AGENT_COMMAND_NOT_FOUND,
  AgentFailureType.TEST_RUNNER_NOT_FOUND,
  AgentFailureType.GIT_UNAVAILABLE,
  AgentFailureType.GIT_PUSH_FAILED,
]);

/** Attempts a failure that is not an environment fault gets before the phase fails. */
export const OTHER_FAILURE_MAX_ATTEMPTS = 5;

/** An environment fault: retried for the session's retry window. */
export function environmentFault(type: AgentFailureTypeName, message: string, cause?: Error): ApplicationFailure {
  return retryable(type, message, undefined, cause);
}

/**
 * The environment fault an operating-system error stands for, or null: a full or read-only disk anywhere, or no
 * access to the work directory itself or one of its parents (a file inside that an agent made unreadable is the
 * agent's own doing, not the machine's).
 */
export function environmentFaultOf(err: unknown, workDir: string): ApplicationFailure | null {
  const { code, path: where } = (err ?? {}) as NodeJS.ErrnoException;
  const detail = err instanceof Error ? err.message : String(err);
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS') {
    return environmentFault(AgentFailureType.DISK_UNAVAILABLE, `${detail}; free some space or make the disk writable`, err as Error);
  }
  const onTheWay = typeof where === 'string' && (where === workDir || workDir.startsWith(`${where.replace(/\/$/, '')}/`));
  if ((code === 'EACCES' || code === 'EPERM') && onTheWay) {
    return environmentFault(AgentFailureType.WORK_DIR_UNREACHABLE, `${detail}; give the worker access to WORK_DIR_BASE`, err as Error);
  }
  return null;
}

/** A failure Temporal will not retry: the phase fails with `message`. */
export function nonRetryable(type: AgentFailureTypeName, message: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true, cause });
}

/** A transient failure: Temporal retries it with the workflow's backoff, or after `nextRetryDelayMs`. */
export function retryable(type: AgentFailureTypeName, message: string, nextRetryDelayMs?: number, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type,
    nonRetryable: false,
    cause,
    ...(nextRetryDelayMs !== undefined ? { nextRetryDelay: nextRetryDelayMs } : {}),
  });
}
