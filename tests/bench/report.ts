/** docs/benchmarks.md and docs/benchmarks.json from one run's figures. */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** One line of the goals table. */
export interface GoalRow {
  figure: string;
  measured: string;
  goal: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

/** What the run was, for the header. */
export interface RunInfo {
  command: string;
  quick: boolean;
  startedAt: Date;
  seconds: number;
  /** The commit measured (taken when the run started). */
  commit: string;
  /** The 1-minute load average when the run started (the machine is shared). */
  loadAtStart?: number;
}

/** The checked-out commit, short. */
export function currentCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The machine in one line. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

/** Write the Markdown table and the raw JSON beside it (under `docs/`, or `dir`). */
export async function writeReport(dir: string, run: RunInfo, goals: GoalRow[], details: string[], raw: unknown): Promise<string> {
  const mark = (met: boolean | null): string => (met === null ? 'not measured' : met ? 'met' : '**missed**');
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`${run.command}\`${run.quick ? ' (smoke size: figures are not meaningful)' : ''}; raw figures in [benchmarks.json](benchmarks.json).`,
    'What limits the figures that miss: [read-model.md](read-model.md#what-the-benchmark-shows).',
    '',
    `- machine: ${machine()} (shared with other developers while it ran: compare ratios, not absolutes)`,
    `- date: ${run.startedAt.toISOString()}, ${Math.round(run.seconds)} s; load average ${run.loadAtStart ?? '—'} at its start`,
    `- commit: ${run.commit}`,
    '',
    '| figure | measured | goal | |',
    '|---|---|---|---|',
    ...goals.map((row) => `| ${row.figure} | ${row.measured} | ${row.goal} | ${mark(row.met)} |`),
    '',
    ...details,
    '',
  ];
  const markdown = path.join(dir, 'benchmarks.md');
  await writeFile(markdown, lines.join('\n'));
  await writeFile(path.join(dir, 'benchmarks.json'), `${JSON.stringify({ run, machine: machine(), goals, raw }, null, 2)}\n`);
  return markdown;
}
