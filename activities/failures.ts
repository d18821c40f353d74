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
  /** Children cannot run safely here (no unprivileged user, bubblewrap required but missing). Not retried. */
  SANDBOX_UNAVAILABLE: 'SandboxUnavailable',
  /** A path would leave the session's work directory. Not retried. */
  PATH_ESCAPE: 'PathEscape',
  /** The scaffold script failed. Not retried: the architect's script is wrong, rerunning will not fix it. */
  SCAFFOLD_FAILED: 'ScaffoldFailed',
  /** The external agent command failed or timed out. Not retried. */
  AGENT_COMMAND_FAILED: 'AgentCommandFailed',
} as const;

export type AgentFailureTypeName = (typeof AgentFailureType)[keyof typeof AgentFailureType];

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
