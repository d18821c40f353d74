import { ARTIFACT_PATHS, type AgentInput, type QaResult } from '../../workflows/definitions';
import { SessionWorkspace } from '../workspace';
import { ENGINEER_FILES } from './engineer';

/** The QA agent (template): checks the engineer's files are in place and writes `docs/BUG_REPORT.md`. */
export async function runQa(input: AgentInput): Promise<QaResult> {
  const workspace = new SessionWorkspace(input.workDir);
  const checks = await Promise.all(
    Object.values(ENGINEER_FILES).map(async (file) => ({ file, present: await workspace.exists(file) })),
  );
  const missing = checks.filter((check) => !check.present).map((check) => check.file);
  const passed = missing.length === 0;
  const summary = passed
    ? `${checks.length} of ${checks.length} checks passed`
    : `${missing.length} of ${checks.length} checks failed: missing ${missing.join(', ')}`;
  const report = [
    '# Bug Report',
    '',
    `Session \`${input.sessionId}\`, iteration ${input.iteration}.`,
    '',
    `**Result:** ${passed ? 'PASS' : 'FAIL'} (${summary})`,
    '',
    '## Checks',
    '',
    ...checks.map((check) => `- [${check.present ? 'x' : ' '}] \`${check.file}\` exists`),
    '',
  ].join('\n');
  const artifact = await workspace.writeArtifact('bug_report', ARTIFACT_PATHS.bug_report, report);
  await workspace.appendLog('qa', `QA ${passed ? 'passed' : 'failed'}: ${summary}`);
  return { passed, summary, artifacts: [artifact] };
}
