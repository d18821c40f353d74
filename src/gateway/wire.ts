/** The gateway's JSON bodies as clients (the CLI, the dashboard) read them: snake_case, see GET /openapi.json. */

/** A session (the spec's SessionInfo). */
export interface SessionJson {
  session_id: string;
  user_mission: string;
  project_name: string | null;
  status: string;
  current_phase: string;
  created_at: string;
  updated_at: string;
  iteration_count: number;
  /** Null for sessions started before review rounds. */
  review_round: number | null;
  qa_passed: boolean;
  work_dir: string;
  last_error: LastErrorJson | null;
  /** `budget` while paused at the token cap, else null. */
  pause_reason: 'budget' | null;
  /** Null for sessions started before token accounting. */
  tokens_used: number | null;
  /** Null: unlimited. */
  token_budget: number | null;
  /** Null when no prices were set. */
  cost: number | null;
}

/** Why the current phase is retrying. */
export interface LastErrorJson {
  phase: string;
  message: string;
  reason: string | null;
  attempt: number;
  next_attempt_at: string | null;
}

/** One page of sessions, newest first. */
export interface SessionListJson {
  sessions: SessionJson[];
  next_cursor: string | null;
}

/** Artifact paths; null until produced. */
export interface ArtifactsJson {
  prd: string | null;
  tech_spec: string | null;
  scaffold: string | null;
  bug_report: string | null;
  work_dir: string;
}

/** One revision of an artifact. */
export interface ArtifactRevisionJson {
  name: string;
  path: string;
  sha256: string;
  bytes: number;
  phase: string;
  iteration: number;
  at: string;
}

/** The audit trail of a session. */
export interface HistoryJson {
  session_id: string;
  status: string;
  phases: {
    phase: string;
    iteration: number;
    review_round: number | null;
    started_at: string;
    ended_at: string | null;
    artifacts: ArtifactRevisionJson[];
  }[];
  decisions: {
    decision: 'approve' | 'reject';
    review_round: number | null;
    documents: { prd: string | null; tech_spec: string | null; scaffold: string | null } | null;
    at: string;
    by: string | null;
    via: 'update' | 'signal';
    feedback: string | null;
    reject_to: string | null;
  }[];
  artifact_revisions: ArtifactRevisionJson[];
  events: { kind: string; at: string }[];
}

/** Every error body of the gateway. */
export interface ErrorJson {
  error: { code: string; message: string };
  /** stale_review only: the session as it is now. */
  session?: SessionJson;
}
