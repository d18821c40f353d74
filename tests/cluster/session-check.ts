/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   gateway replies are read as plain JSON (tests/cluster/http.ts). */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { call } from './http';

/** What one finished session looks like, judged from the gateway and its work directory. */
export interface SessionVerdict {
  sessionId: string;
  status: string;
  iterationCount: number;
  /** Log lines that appear twice within one run of a phase (a retried step logged again). */
  duplicatedLines: string[];
  /** Earlier artifact revisions kept under docs/history/ beyond those the completed phases explain. */
  extraRevisions: string[];
  /** Documents whose file differs from the revision the workflow recorded last. */
  artifactMismatches: string[];
}

const DOCUMENT_FILES: Record<string, string> = { prd: 'docs/PRD.md', tech_spec: 'docs/TECH_SPEC.md', scaffold: 'scaffold.sh', bug_report: 'docs/BUG_REPORT.md' };

/**
 * Lines repeated within one phase block of the session log, timestamps aside. A block is a run of consecutive
 * lines with the same phase tag; a phase that runs again later (after a rejection or a QA failure) starts a new
 * block, so its lines may legitimately repeat earlier ones.
 */
export function duplicatedLines(log: string): string[] {
  const duplicates: string[] = [];
  let block = '';
  let seen = new Set<string>();
  for (const line of log.split('\n').filter(Boolean)) {
    const message = line.replace(/^\S+ /, '');
    const tag = /^\[([a-z]+)\]/.exec(message)?.[1] ?? '';
    if (tag !== block) {
      block = tag;
      seen = new Set();
    }
    if (seen.has(message)) duplicates.push(message);
    seen.add(message);
  }
  return duplicates;
}

/**
 * Judge a finished session: status, iterations, its log (no line twice within a phase run) and its revisions.
 * Each revision under docs/history/ is an artifact some completed phase replaced; there are as many as the
 * workflow's own record has revisions beyond the latest of each document (a retried attempt that rewrote a
 * document with other content would leave one more).
 */
export async function judgeSession(gateway: string, sessionId: string): Promise<SessionVerdict> {
  const info = await call(gateway, 'GET', `/sessions/${sessionId}`);
  const log = await call(gateway, 'GET', `/sessions/${sessionId}/logs?lines=1000`);
  const history = await call(gateway, 'GET', `/sessions/${sessionId}/history`);
  const revisions = (history.json?.artifact_revisions ?? []) as { name: string; sha256: string }[];
  const expectedEarlier = new Map<string, number>();
  for (const name of ['prd', 'tech_spec', 'scaffold', 'bug_report']) {
    const hashes = revisions.filter((r) => r.name === name).map((r) => r.sha256);
    const changes = hashes.filter((hash, i) => i > 0 && hash !== hashes[i - 1]).length;
    expectedEarlier.set(name, changes);
  }
  const historyDir = path.join(String(info.json?.work_dir), 'docs/history');
  const kept = await readdir(historyDir).catch(() => [] as string[]);
  const extra: string[] = [];
  const fileOf: Record<string, RegExp> = { prd: /^PRD\.v\d+/, tech_spec: /^TECH_SPEC\.v\d+/, scaffold: /^scaffold\.v\d+/, bug_report: /^BUG_REPORT\.v\d+/ };
  for (const [name, pattern] of Object.entries(fileOf)) {
    const files = kept.filter((file) => pattern.test(file)).sort();
    const expected = expectedEarlier.get(name) ?? 0;
    if (files.length > expected) extra.push(...files.slice(expected).map((file) => `${name}: ${file}`));
  }
  const mismatches: string[] = [];
  for (const [name, file] of Object.entries(DOCUMENT_FILES)) {
    const recorded = revisions.filter((r) => r.name === name).at(-1)?.sha256;
    if (!recorded) continue;
    const content = await readFile(path.join(String(info.json?.work_dir), file)).catch(() => null);
    const actual = content ? createHash('sha256').update(content).digest('hex') : 'missing';
    if (actual !== recorded) mismatches.push(`${name}: file ${actual.slice(0, 12)}, recorded ${recorded.slice(0, 12)}`);
  }
  return {
    sessionId,
    artifactMismatches: mismatches,
    status: String(info.json?.status),
    iterationCount: Number(info.json?.iteration_count),
    duplicatedLines: duplicatedLines(log.text),
    extraRevisions: extra,
  };
}
