/** Orchestrator results in the gateway's snake_case JSON. */
import type { SessionArtifacts } from '../orchestration/orchestrator';
import type { SessionEvent } from '../../workflows/definitions';
import type { SessionHistory } from '../sessions/session-history';
import type { SessionInfo } from '../sessions/session-info';
import type { ArtifactsJson, SessionJson } from './wire';

/** SessionInfo as the spec's JSON (the shape SessionInfoSchema gives it). */
export function sessionJson(info: SessionInfo): SessionJson {
  return {
    session_id: info.sessionId,
    user_mission: info.userMission,
    project_name: info.projectName,
    status: info.status,
    current_phase: info.currentPhase,
    created_at: info.createdAt.toISOString(),
    updated_at: info.updatedAt.toISOString(),
    iteration_count: info.iterationCount,
    review_round: info.reviewRound,
    qa_passed: info.qaPassed,
    work_dir: info.workDir,
    last_error: info.lastError && {
      phase: info.lastError.phase,
      message: info.lastError.message,
      reason: info.lastError.reason,
      attempt: info.lastError.attempt,
      next_attempt_at: info.lastError.nextAttemptAt?.toISOString() ?? null,
    },
    pause_reason: info.pauseReason,
    tokens_used: info.tokensUsed,
    token_budget: info.tokenBudget,
    cost: info.cost,
  };
}

/** Artifact paths as the API's JSON. */
export function artifactsJson(artifacts: SessionArtifacts): ArtifactsJson {
  return {
    prd: artifacts.prd,
    tech_spec: artifacts.techSpec,
    scaffold: artifacts.scaffold,
    bug_report: artifacts.bugReport,
    work_dir: artifacts.workDir,
  };
}

/** The audit trail with every key in snake_case (events included). */
export function historyJson(history: SessionHistory): unknown {
  return snakeKeys(history);
}

/** One audit entry with every key in snake_case. */
export function auditEventJson(event: SessionEvent): unknown {
  return snakeKeys(event);
}

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(inner)]),
  );
}
