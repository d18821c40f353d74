import path from 'node:path';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { HISTORY_DIR, revisionPath, revisionsIn } from '../../activities/workspace-history';
import { ARTIFACT_PATHS, type DocumentName, SESSION_ID_PATTERN, SESSION_LOG_PATH, SESSION_WORKFLOW_TYPE } from '../../workflows/definitions';
import type { WithDeadline } from '../orchestration/call-deadline';
import { SessionNotFoundError } from '../orchestration/errors';
import { listSessionDir, openSessionFile, readSessionFile, sessionFileExists } from './session-files';
import { querySessionHistory, type SessionHistory } from './session-history';
import { type SessionInfo, sessionInfoFromExecution } from './session-info';
import { type ListSessionsOptions, listSessionPage, type SessionPage } from './session-listing';
import { type LogChunk, type LogTail, readLogLines, tailLines } from './session-log';

/** Work directories remembered; each is fixed for a session's life, so an entry never goes stale. */
const WORK_DIR_CACHE_SIZE = 10_000;

export type { DocumentName } from '../../workflows/definitions';

/** Absolute paths of a session's artifacts; null until the phase that writes one has run. */
export interface SessionArtifacts {
  prd: string | null;
  techSpec: string | null;
  scaffold: string | null;
  bugReport: string | null;
  workDir: string;
}

/** One kept revision of a document: its path relative to the work directory and its text. */
export interface DocumentRevision {
  revision: number;
  current: boolean;
  path: string;
  text: string;
}

/** A session id as the API accepts it; anything else is a session nobody will find. */
export function checkedSessionId(sessionId: string): string {
  if (typeof sessionId !== 'string' || !SESSION_ID_PATTERN.test(sessionId)) throw new SessionNotFoundError(String(sessionId));
  return sessionId;
}

/**
 * The one place sessions are read: their info from visibility (search attributes and memo), pages of them,
 * their audit trail, and their files under one path policy (nothing followed out of the work directory). The
 * work directory comes from the memo (the truth even for sessions started under another base) and is read once
 * per session.
 */
export class SessionReader {
  private readonly workDirs = new Map<string, string>();

  /** `withDeadline` is the Orchestrator's: the audit trail's query applies its deadline through it. */
  constructor(
    private readonly client: () => Promise<Client>,
    private readonly withDeadline: WithDeadline,
  ) {}

  /** The session as visibility sees it (no worker needed); SessionNotFoundError when Temporal has no such session. */
  async info(sessionId: string): Promise<SessionInfo> {
    const handle = (await this.client()).workflow.getHandle(checkedSessionId(sessionId));
    try {
      const description = await handle.describe();
      if (description.type !== SESSION_WORKFLOW_TYPE) throw new SessionNotFoundError(sessionId);
      const info = sessionInfoFromExecution(description, description.raw.pendingActivities);
      this.rememberWorkDir(info);
      return info;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new SessionNotFoundError(sessionId, { cause: err });
      throw err;
    }
  }

  /** One page of sessions newest first (see {@link listSessionPage}). */
  async list(options: ListSessionsOptions = {}): Promise<SessionPage> {
    const page = await listSessionPage(await this.client(), options);
    for (const info of page.sessions) this.rememberWorkDir(info);
    return page;
  }

  /**
   * The audit trail, through the workflow's query within `timeoutMs` (needs a worker; see {@link querySessionHistory});
   * with `deliveries: false` without asking the session's notifier for its webhook deliveries (then none are listed).
   */
  async history(sessionId: string, timeoutMs: number, options: { deliveries?: boolean } = {}): Promise<SessionHistory> {
    return querySessionHistory(this.client, this.withDeadline, checkedSessionId(sessionId), timeoutMs, () => this.info(sessionId), options.deliveries ?? true);
  }

  /** The session's work directory: from the memo, described once per session. */
  async workDir(sessionId: string): Promise<string> {
    return this.workDirs.get(sessionId) ?? (await this.info(sessionId)).workDir;
  }

  /** Absolute paths of the session's artifacts, null until produced. */
  async artifacts(sessionId: string): Promise<SessionArtifacts> {
    const workDir = await this.workDir(sessionId);
    const existing = async (relative: string): Promise<string | null> =>
      (await sessionFileExists(workDir, relative)) ? path.join(workDir, relative) : null;
    const [prd, techSpec, scaffold, bugReport] = await Promise.all([
      existing(ARTIFACT_PATHS.prd),
      existing(ARTIFACT_PATHS.tech_spec),
      existing(ARTIFACT_PATHS.scaffold),
      existing(ARTIFACT_PATHS.bug_report),
    ]);
    return { prd, techSpec, scaffold, bugReport, workDir };
  }

  /** The text of one document, or null until it is produced. */
  async document(sessionId: string, name: DocumentName, maxBytes?: number): Promise<string | null> {
    return readSessionFile(await this.workDir(sessionId), ARTIFACT_PATHS[name], maxBytes);
  }

  /** Every kept revision of a document, oldest first; the last is the current file (none until produced). */
  async revisions(sessionId: string, name: DocumentName, maxBytes: number): Promise<DocumentRevision[]> {
    const workDir = await this.workDir(sessionId);
    const current = ARTIFACT_PATHS[name];
    const kept = await listSessionDir(workDir, HISTORY_DIR);
    const files = [...revisionsIn(kept, current).map((n) => revisionPath(current, n)), current];
    const revisions: DocumentRevision[] = [];
    for (const file of files) {
      const text = await readSessionFile(workDir, file, maxBytes);
      if (text !== null) revisions.push({ revision: revisions.length + 1, current: file === current, path: file, text });
    }
    return revisions.some((r) => r.current) ? revisions : [];
  }

  /** The last `lines` lines of the session's log, and where lines written after them start. */
  async recentLogs(sessionId: string, lines: number): Promise<LogTail> {
    const log = await openSessionFile(await this.workDir(sessionId), SESSION_LOG_PATH);
    return log ? tailLines(log, lines) : { text: '', end: 0 };
  }

  /** Whole log lines from byte `offset` on (at most about 256 KiB of them). */
  async logLines(sessionId: string, offset: number): Promise<LogChunk> {
    return readLogLines(await this.workDir(sessionId), SESSION_LOG_PATH, offset);
  }

  private rememberWorkDir(info: SessionInfo): void {
    if (!info.workDir || this.workDirs.has(info.sessionId)) return;
    if (this.workDirs.size >= WORK_DIR_CACHE_SIZE) {
      const oldest = this.workDirs.keys().next().value;
      if (oldest !== undefined) this.workDirs.delete(oldest);
    }
    this.workDirs.set(info.sessionId, info.workDir);
  }
}
