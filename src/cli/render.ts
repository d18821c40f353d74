/** Human-readable views of the gateway's answers. */
import type { ArtifactsJson, HistoryJson, SessionJson } from '../gateway/wire';
import { DOCUMENT_NAMES } from '../../workflows/vocabulary';

/** `2025-01-31 12:00:05Z`: ISO 8601 in UTC, shortened for reading. */
export function shortTime(iso: string | null): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A duration in the largest fitting unit: `850ms`, `12.3s`, `4m05s`, `2h10m`, `3d4h`. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3_600)}h`;
}

/** One line that says where a session is: `running · architect · iteration 1`. */
export function stateLine(session: SessionJson): string {
  const parts = [session.status, session.current_phase, `iteration ${session.iteration_count}`];
  if (session.qa_passed) parts.push('QA passed');
  return parts.join(' · ');
}

/** The next commands that make sense for a session, or none. */
export function nextSteps(session: SessionJson): string[] {
  const id = session.session_id;
  if (session.status === 'awaiting_approval') {
    return [`Review it:  orchestrator artifacts ${id} prd   (and tech_spec, scaffold)`, `Decide:     orchestrator approve ${id}`, `            orchestrator reject ${id} --feedback "…" [--to pm|architect]`];
  }
  if (session.status === 'paused' && session.pause_reason === 'budget') {
    return [`Its token budget is spent. Resume it:  orchestrator budget ${id} --add <tokens>`, `Or end it:  orchestrator cancel ${id}`];
  }
  if (session.status === 'pending' || session.status === 'running') return [`Follow it:  orchestrator watch ${id}`];
  return [];
}

/** A session as a block of labelled lines. */
export function sessionDetail(session: SessionJson): string[] {
  return table([
    ['Session', session.session_id],
    ['Status', session.status],
    ['Phase', `${session.current_phase} (iteration ${session.iteration_count}${session.qa_passed ? ', QA passed' : ''})`],
    ['Review round', reviewRoundText(session)],
    ['Tokens', tokensText(session)],
    ...(session.pause_reason === 'budget' ? [['Paused', 'the token budget is spent; add tokens to resume'] as [string, string]] : []),
    ...(session.last_error ? [['Retrying', lastErrorText(session.last_error)] as [string, string]] : []),
    ['Project', session.project_name ?? '-'],
    ['Mission', session.user_mission],
    ['Created', shortTime(session.created_at)],
    ['Updated', shortTime(session.updated_at)],
    ['Work dir', session.work_dir],
  ]);
}

/** Sessions as a table, one per line, the mission cut to fit `width` columns. */
export function sessionTable(sessions: SessionJson[], width = 120): string[] {
  const rows = sessions.map((s) => [s.session_id, s.status, s.current_phase, String(s.iteration_count), s.project_name ?? '-', shortTime(s.updated_at)]);
  const lines = table([['SESSION', 'STATUS', 'PHASE', 'ITER', 'PROJECT', 'UPDATED'], ...rows]);
  return lines.map((line, index) => {
    const mission = index === 0 ? 'MISSION' : oneLine(sessions[index - 1]?.user_mission ?? '');
    return `${line}  ${truncate(mission, Math.max(20, width - line.length - 2))}`;
  });
}

function reviewRoundText(session: SessionJson): string {
  if (session.review_round === null) return 'unknown (session started before review rounds)';
  if (session.review_round === 0) return '0 (no review yet)';
  return session.status === 'awaiting_approval' ? `${session.review_round} (open: decide with --round ${session.review_round})` : String(session.review_round);
}

/** `1234 of 5000 (cost 0.0123)`, `1234 (no budget)`, or unknown for sessions started before token accounting. */
export function tokensText(session: SessionJson): string {
  if (session.tokens_used === null || session.tokens_used === undefined) return 'unknown (session started before token accounting)';
  const cap = session.token_budget === null ? ' (no budget)' : ` of ${session.token_budget}`;
  return `${session.tokens_used}${cap}${session.cost === null ? '' : ` (cost ${session.cost})`}`;
}

function lastErrorText(error: NonNullable<SessionJson['last_error']>): string {
  const next = error.next_attempt_at ? `next attempt ${shortTime(error.next_attempt_at)}` : 'an attempt is running';
  return `${error.phase}, attempt ${error.attempt} failed${error.reason ? ` (${error.reason})` : ''}, ${next}: ${oneLine(error.message)}`;
}

/** The documents a decision saw, by short hash. */
export function decisionDocuments(documents: { prd: string | null; tech_spec: string | null; scaffold: string | null }): string {
  return Object.entries(documents)
    .map(([name, sha]) => `${name} ${sha ? sha.slice(0, 12) : '-'}`)
    .join(', ');
}

/** Artifact paths, `(not yet)` for those not produced, and the review round they are in. */
export function artifactList(artifacts: ArtifactsJson, session?: SessionJson): string[] {
  return table([
    ...(session ? [['review_round', reviewRoundText(session)] as [string, string]] : []),
    ...DOCUMENT_NAMES.map((name): [string, string] => [name, artifacts[name] ?? '(not yet)']),
    ['work_dir', artifacts.work_dir],
  ]);
}

/** The audit trail: phases with their times, decisions, and the number of artifact revisions. */
export function historyView(history: HistoryJson): string[] {
  const lines = [`Session ${history.session_id}: ${history.status}`, '', 'Phases'];
  const phaseRows = history.phases.map((p) => {
    const took = p.ended_at ? duration(Date.parse(p.ended_at) - Date.parse(p.started_at)) : 'running';
    const files = p.artifacts.map((a) => a.path).join(', ');
    return [`  ${p.phase}`, `#${p.iteration}`, shortTime(p.started_at), took, files];
  });
  lines.push(...(phaseRows.length > 0 ? table(phaseRows) : ['  (none yet)']));
  lines.push('', 'Decisions');
  const decisionRows = history.decisions.map((d) => [
    `  ${shortTime(d.at)}`,
    d.decision === 'reject' ? `reject → ${d.reject_to ?? 'architect'}` : 'approve',
    `by ${d.by ?? 'unknown'} (${d.via})`,
    d.feedback ? JSON.stringify(truncate(oneLine(d.feedback), 80)) : '',
  ]);
  lines.push(...(decisionRows.length > 0 ? table(decisionRows) : ['  (none)']));
  lines.push('', `Artifact revisions: ${history.artifact_revisions.length}`);
  return lines;
}

/** Columns padded to the widest cell; trailing spaces trimmed. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
