import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { WorkflowStartOptions } from '@temporalio/client';
import {
  MAX_MISSION_LENGTH,
  MAX_PROJECT_NAME_LENGTH,
  type ModelPrices,
  SearchAttributeKeys,
  SESSION_ID_PREFIX,
  type SessionMemo,
  SessionStatus,
  type SessionWorkflowInput,
} from '../../workflows/definitions';
import type { sessionWorkflow } from '../../workflows/session';
import { configuredTarget } from '../../activities/webhooks/receiver-ref';
import { hostOf, type SessionNotifySettings } from '../../workflows/webhook-definitions';
import { listOf, type OrchestratorConfig, phaseTimeoutsOf } from '../config';
import { NotifyUrlNotAllowedError, ValidationError } from './errors';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A start request after validation: the trimmed mission and project (null when none), and its webhook receiver. */
export interface SessionRequest {
  mission: string;
  project: string | null;
  notifyUrl?: string | null;
}

/** Longest `notify_url` accepted. */
export const MAX_NOTIFY_URL_LENGTH = 2_000;

/**
 * A session's own webhook receiver, checked: an http(s) URL whose host (or host:port) is in `WEBHOOK_ALLOWED_HOSTS`,
 * so nobody makes the workers call an arbitrary address on their say-so. Null when none was given.
 */
export function checkNotifyUrl(config: OrchestratorConfig, notifyUrl: unknown): string | null {
  if (notifyUrl === undefined || notifyUrl === null || notifyUrl === '') return null;
  if (typeof notifyUrl !== 'string' || notifyUrl.length > MAX_NOTIFY_URL_LENGTH) throw new ValidationError(`notify_url must be a URL of at most ${MAX_NOTIFY_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(notifyUrl);
  } catch {
    // The gateway's schema lets through only what looks like an http(s) URL; one that still does not parse (an IPv4
    // address out of range, say) is well-formed but unusable.
    throw new NotifyUrlNotAllowedError('notify_url is not a URL this service can call (it does not parse as an http or https URL)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('notify_url must be an absolute http or https URL');
  if (url.username !== '' || url.password !== '') {
    throw new ValidationError('notify_url must not carry credentials (it is kept in the session’s history); configure such a receiver in WEBHOOK_URLS');
  }
  const allowed = listOf(config.webhookAllowedHosts).map((host) => host.toLowerCase());
  const host = url.hostname.toLowerCase();
  if (!allowed.includes(host) && !allowed.includes(url.host.toLowerCase())) {
    throw new NotifyUrlNotAllowedError(
      allowed.length === 0
        ? 'notify_url is not accepted: this orchestrator allows no per-session webhook hosts (WEBHOOK_ALLOWED_HOSTS is empty)'
        : `notify_url's host ${url.host} is not one of WEBHOOK_ALLOWED_HOSTS`,
    );
  }
  return url.toString();
}

/** Where a session's webhooks go, or null when nobody listens (then the session sends none). */
function notifySettingsOf(config: OrchestratorConfig, notifyUrl: string | null | undefined): SessionNotifySettings | null {
  const configured = [...new Set(listOf(config.webhookUrls))].map(configuredTarget);
  const own = notifyUrl ? [{ ref: notifyUrl, host: hostOf(notifyUrl) }] : [];
  const targets = [...configured, ...own];
  if (targets.length === 0) return null;
  return {
    targets,
    publicBaseUrl: config.publicBaseUrl ?? null,
    remindAfterMs: config.reviewRemindAfterSeconds === undefined ? null : config.reviewRemindAfterSeconds * 1000,
    retryWindowMs: config.webhookRetryWindowSeconds * 1000,
  };
}

/** Validate and normalise what `startNewSession` was given; ValidationError when it is unusable. */
export function checkSessionRequest(userMission: unknown, projectName: unknown): SessionRequest {
  const mission = typeof userMission === 'string' ? userMission.trim() : '';
  if (mission === '') throw new ValidationError('user_mission must be a non-empty string');
  if (codePoints(mission) > MAX_MISSION_LENGTH) {
    throw new ValidationError(`user_mission must be at most ${MAX_MISSION_LENGTH} characters`);
  }
  return { mission, project: normalizeProjectName(projectName) };
}

function normalizeProjectName(projectName: unknown): string | null {
  if (projectName === undefined || projectName === null) return null;
  if (typeof projectName !== 'string') throw new ValidationError('project_name must be a string');
  const trimmed = projectName.trim();
  if (trimmed === '') return null;
  if (codePoints(trimmed) > MAX_PROJECT_NAME_LENGTH) {
    throw new ValidationError(`project_name must be at most ${MAX_PROJECT_NAME_LENGTH} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new ValidationError('project_name must not contain control characters');
  return trimmed;
}

/** Length in characters as JSON Schema counts them (an emoji is one, not two UTF-16 units). */
function codePoints(text: string): number {
  return [...text].length;
}

/** A fresh random session id: `sess_` and 22 URL-safe characters (128 bits). */
export function newSessionId(): string {
  return `${SESSION_ID_PREFIX}${randomBytes(16).toString('base64url')}`;
}

/**
 * How a session's workflow is started: its input (fixed for the session's life), memo, summary for the Web UI and
 * initial search attributes. `keyed` starts never make a second execution for the same id.
 */
export function sessionStartOptions(
  config: OrchestratorConfig,
  sessionId: string,
  request: SessionRequest,
  keyed: boolean,
): WorkflowStartOptions<typeof sessionWorkflow> {
  const { mission, project } = request;
  const workDir = path.resolve(config.workDirBase, sessionId);
  const input: SessionWorkflowInput = {
    sessionId,
    userMission: mission,
    projectName: project,
    workDir,
    maxIterations: config.maxIterations,
    reviewTimeoutMs: Math.round(config.sessionTtlDays * DAY_MS),
    phaseTimeoutsMs: phaseTimeoutsOf(config),
    phaseRetryWindowMs: config.phaseRetryWindowSeconds * 1000,
    tokenBudget: config.sessionTokenBudget ?? null,
    prices: pricesOf(config),
  };
  const notify = notifySettingsOf(config, request.notifyUrl);
  if (notify) input.notify = notify;
  const usage = { tokens: [], tokenBudget: input.tokenBudget ?? null, pauseReason: null, prices: input.prices ?? null };
  const memo: SessionMemo = { userMission: mission, projectName: project, workDir, usage };
  return {
    workflowId: sessionId,
    taskQueue: config.taskQueue,
    args: [input],
    memo: { ...memo },
    staticSummary: summaryOf(mission, project),
    // A keyed start never makes a second execution: a racing twin joins the running one, a closed one stays.
    ...(keyed ? { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' } : {}),
    typedSearchAttributes: [
      { key: SearchAttributeKeys.status, value: SessionStatus.PENDING },
      { key: SearchAttributeKeys.phase, value: 'pm' },
      { key: SearchAttributeKeys.iterationCount, value: 0 },
      { key: SearchAttributeKeys.reviewRound, value: 0 },
      { key: SearchAttributeKeys.qaPassed, value: false },
      { key: SearchAttributeKeys.updatedAt, value: new Date() },
      ...(project ? [{ key: SearchAttributeKeys.project, value: project }] : []),
    ],
  };
}

/** The configured token prices, or null when the operator set none. */
function pricesOf(config: OrchestratorConfig): ModelPrices | null {
  if (config.modelPricePerMtokIn === undefined || config.modelPricePerMtokOut === undefined) return null;
  return { inputPerMTok: config.modelPricePerMtokIn, outputPerMTok: config.modelPricePerMtokOut };
}

/** The one-line summary the Web UI shows: `[project] mission`, shortened. */
function summaryOf(mission: string, project: string | null): string {
  const line = mission.replace(/\s+/g, ' ');
  const short = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return project ? `[${project}] ${short}` : short;
}
