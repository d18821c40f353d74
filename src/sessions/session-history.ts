import { deliveriesQuery, notifierWorkflowId, type WebhookDeliveryRecord } from '../../workflows/webhook-definitions';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import {
  type ArtifactName,
  getStateQuery,
  type Phase,
  type RejectTarget,
  type ReviewedDocuments,
  type SessionEvent,
  type SessionState,
  type SessionStatus,
} from '../../workflows/definitions';
import type { WithDeadline } from '../orchestration/call-deadline';
import { GrpcCode, grpcCodeOf } from '../temporal/grpc-status';
import { SessionNotFoundError, WorkerUnavailableError } from '../orchestration/errors';

/** One run of a phase: when it started and ended, and what it wrote. */
export interface PhaseRun {
  phase: Phase;
  iteration: number;
  /** The review round it fed (PM, Architect: the next review; review: its own; Engineer, QA: the approved one). */
  reviewRound: number | null;
  startedAt: string;
  /** Null while the phase is still running (or the review still waiting). */
  endedAt: string | null;
  /** Files the phase wrote (none for review). */
  artifacts: ArtifactRevision[];
}

/** A review decision, whether taken through the API (update) or by an operator (signal). */
export interface DecisionRecord {
  decision: 'approve' | 'reject';
  /** The review round it answered; null from workers older than review rounds. */
  reviewRound: number | null;
  /** The sha256 of each document open in that round: which PRD, spec and scaffold were approved or rejected. */
  documents: ReviewedDocuments | null;
  at: string;
  /** Who decided, when the caller said. */
  by: string | null;
  via: 'update' | 'signal';
  feedback: string | null;
  rejectTo: RejectTarget | null;
}

/** One revision of an artifact: its path, hash and size as the phase that wrote it reported them. */
export interface ArtifactRevision {
  name: ArtifactName;
  path: string;
  sha256: string;
  bytes: number;
  phase: Phase;
  iteration: number;
  at: string;
}

/** A session's audit trail, as the workflow recorded it. */
export interface SessionHistory {
  sessionId: string;
  status: SessionStatus;
  phases: PhaseRun[];
  decisions: DecisionRecord[];
  artifactRevisions: ArtifactRevision[];
  /** The raw events, oldest first (also QA failures, ignored signals and the end of the session). */
  events: SessionEvent[];
  /** Webhook deliveries so far (event, host, attempts, last status), oldest first; empty without webhooks. */
  deliveries: WebhookDeliveryRecord[];
}

/** The audit trail of a session, derived from the workflow's own state. */
export function historyFromState(state: SessionState): SessionHistory {
  const phases: PhaseRun[] = [];
  const decisions: DecisionRecord[] = [];
  const artifactRevisions: ArtifactRevision[] = [];
  let open: PhaseRun | null = null;
  const close = (at: string): void => {
    if (open) open.endedAt = at;
    open = null;
  };
  for (const event of state.events) {
    switch (event.kind) {
      case 'phase_started':
        close(event.at);
        open = {
          phase: event.phase,
          iteration: event.iteration,
          reviewRound: event.reviewRound ?? null,
          startedAt: event.at,
          endedAt: null,
          artifacts: [],
        };
        phases.push(open);
        break;
      case 'phase_completed': {
        const revisions = event.artifacts.map((artifact) => ({
          ...artifact,
          phase: event.phase,
          iteration: event.iteration,
          at: event.at,
        }));
        artifactRevisions.push(...revisions);
        if (open && open.phase === event.phase) open.artifacts.push(...revisions);
        close(event.at);
        break;
      }
      case 'approved':
      case 'rejected':
        decisions.push({
          decision: event.kind === 'approved' ? 'approve' : 'reject',
          reviewRound: event.reviewRound ?? null,
          documents: event.documents ?? null,
          at: event.at,
          by: event.by,
          via: event.via,
          feedback: event.kind === 'rejected' ? event.feedback : null,
          rejectTo: event.kind === 'rejected' ? event.rejectTo : null,
        });
        close(event.at);
        break;
      case 'session_ended':
        close(event.at);
        break;
      case 'qa_failed':
      case 'signal_ignored':
        break;
    }
  }
  return { sessionId: state.sessionId, status: state.status, phases, decisions, artifactRevisions, events: state.events, deliveries: [] };
}

/** The deliveries the session's notifier recorded; none when it has no notifier (or it cannot answer now). */
async function deliveriesOf(client: () => Promise<Client>, withDeadline: WithDeadline, sessionId: string, timeoutMs: number): Promise<WebhookDeliveryRecord[]> {
  try {
    return await withDeadline(timeoutMs, async () => (await client()).workflow.getHandle(notifierWorkflowId(sessionId)).query(deliveriesQuery));
  } catch {
    return [];
  }
}

/**
 * Reads a session's audit trail through the workflow's state query, which needs a worker: when none answers
 * within `timeoutMs` (the query's deadline, applied by `withDeadline`), a WorkerUnavailableError, after `exists`
 * confirms the session (so an unknown id stays a SessionNotFoundError and an unreachable Temporal a Temporal error).
 */
export async function querySessionHistory(
  client: () => Promise<Client>,
  withDeadline: WithDeadline,
  sessionId: string,
  timeoutMs: number,
  exists: () => Promise<unknown>,
  withDeliveries = true,
): Promise<SessionHistory> {
  const noWorker = async (cause: unknown): Promise<Error> => {
    await withDeadline(timeoutMs, exists);
    return new WorkerUnavailableError(`no worker answered the audit-trail query of ${sessionId} within ${timeoutMs} ms`, { cause });
  };
  let state: SessionState;
  try {
    state = await withDeadline(timeoutMs, async () => (await client()).workflow.getHandle(sessionId).query(getStateQuery), { unanswered: noWorker });
  } catch (err) {
    if (err instanceof SessionNotFoundError || err instanceof WorkerUnavailableError) throw err;
    if (err instanceof WorkflowNotFoundError || grpcCodeOf(err) === GrpcCode.NOT_FOUND) {
      throw new SessionNotFoundError(sessionId, { cause: err });
    }
    if (grpcCodeOf(err) === GrpcCode.FAILED_PRECONDITION) throw await noWorker(err);
    throw err;
  }
  return { ...historyFromState(state), deliveries: withDeliveries ? await deliveriesOf(client, withDeadline, sessionId, timeoutMs) : [] };
}
