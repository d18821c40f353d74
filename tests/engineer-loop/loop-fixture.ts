import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ActivityScope } from '../../activities/activity-scope';
import { createAgentDeps } from '../../activities/agents/agent-deps';
import { createEngineerLoopActivities, type EngineerLoopActivities, type EngineerLoopBeginResult, type EngineerLoopOptions } from '../../activities/engineer-loop';
import { resolveConfig } from '../../src/config';
import { templatePrd, templateTechSpec } from '../../activities/providers/template/documents';
import { templateScaffold } from '../../activities/providers/template/scaffold';
import type { AgentBrief } from '../../activities/providers/types';
import type { TurnModel, TurnReply, TurnRequest } from '../../activities/engineer-loop/turn-model';
import { ARTIFACT_PATHS, type AgentInput } from '../../workflows/definitions';

/** A real work directory with the template's PRD, tech spec and scaffold, as PM and Architect leave it. */
export interface LoopFixture {
  input: AgentInput;
  workDir: string;
  read(relative: string): Promise<string>;
  remove(): Promise<void>;
}

/** Lay out a session's work directory under a fresh temporary base. */
export async function loopFixture(mission = 'Build a tip calculator'): Promise<LoopFixture> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'engineer-loop-'));
  const sessionId = `sess_loop${randomBytes(6).toString('hex')}`;
  const workDir = path.join(base, sessionId);
  const brief: AgentBrief = { sessionId, mission, projectName: null, iteration: 1, feedback: [] };
  await mkdir(path.join(workDir, 'docs'), { recursive: true });
  const prd = templatePrd({ ...brief, previousPrd: null });
  await writeFile(path.join(workDir, ARTIFACT_PATHS.prd), prd);
  await writeFile(path.join(workDir, ARTIFACT_PATHS.tech_spec), templateTechSpec({ ...brief, prd, previousSpec: null }));
  await writeFile(path.join(workDir, ARTIFACT_PATHS.scaffold), templateScaffold(brief));
  const input: AgentInput = { sessionId, userMission: mission, projectName: null, workDir, iteration: 1, feedback: [], bugReport: null };
  return {
    input,
    workDir,
    read: (relative) => readFile(path.join(workDir, relative), 'utf8'),
    remove: () => rm(base, { recursive: true, force: true }),
  };
}

/** The loop's steps as a worker would build them from `env` (hermetic: the test's own environment is not read). */
export function loopSteps(env: Record<string, string> = {}, options: EngineerLoopOptions = {}): EngineerLoopActivities {
  return createEngineerLoopActivities(createAgentDeps(resolveConfig({}, env)), options);
}

/** What `engineerLoopBegin` returns when the loop runs. */
export type BegunLoop = Extract<EngineerLoopBeginResult, { driver: 'loop' }>;

/** Begin the loop in the fixture's work directory; fails unless the loop (not the single-shot engineer) runs. */
export async function beginLoop(steps: EngineerLoopActivities, fixture: LoopFixture, limits: { turnLimit?: number; minTurns?: number } = {}): Promise<BegunLoop> {
  const begun = await steps.engineerLoopBegin({ ...fixture.input, ...limits });
  if (begun.driver !== 'loop') throw new Error(`expected the loop, got ${JSON.stringify(begun)}`);
  return begun;
}

/** Wraps a turn model and records every request it gets (the real model underneath still answers). */
export class RecordingModel implements TurnModel {
  readonly requests: TurnRequest[] = [];
  constructor(private readonly inner: TurnModel) {}
  get name(): string {
    return this.inner.name;
  }
  next(request: TurnRequest, scope: ActivityScope): Promise<TurnReply> {
    this.requests.push(request);
    return this.inner.next(request, scope);
  }
}

/**
 * A scripted stand-in for a model, for the edges a real model cannot be made to hit on demand (a malformed
 * reply, a reply cut at the token limit): it answers each request with the next canned reply.
 */
export class CannedModel implements TurnModel {
  readonly name = 'canned';
  readonly requests: TurnRequest[] = [];
  constructor(private readonly replies: TurnReply[]) {}
  next(request: TurnRequest): Promise<TurnReply> {
    this.requests.push(request);
    const reply = this.replies.shift();
    if (!reply) throw new Error('the canned model ran out of replies');
    return Promise.resolve(reply);
  }
}

/** A JSON action reply. */
export function jsonReply(action: unknown): TurnReply {
  return { content: typeof action === 'string' ? action : JSON.stringify(action), toolCalls: [], finishReason: 'stop' };
}
