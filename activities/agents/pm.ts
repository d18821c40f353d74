import { ARTIFACT_PATHS, type AgentInput, type PhaseResult } from '../../workflows/definitions';
import { SessionWorkspace } from '../workspace';
import { feedbackSection, projectTitle } from './feedback-section';

/** The PM agent (template): turns the mission and all feedback so far into `docs/PRD.md`. */
export async function runPm(input: AgentInput): Promise<PhaseResult> {
  const workspace = new SessionWorkspace(input.workDir);
  const pmFeedback = input.feedback.filter((entry) => entry.rejectTo === 'pm');
  const prd = [
    `# Product Requirements: ${projectTitle(input.projectName, input.userMission)}`,
    '',
    `Session \`${input.sessionId}\`, revision ${pmFeedback.length + 1}.`,
    '',
    '## Mission',
    '',
    input.userMission.trim(),
    '',
    '## Goals',
    '',
    '- Deliver the mission as a small, runnable project with automated tests.',
    '- Keep the public interface documented in the technical specification.',
    '',
    '## Acceptance criteria',
    '',
    '- The project installs and its test command passes on a clean machine.',
    '- Every point of reviewer feedback below is reflected in the design.',
    '',
    feedbackSection(input.feedback),
  ].join('\n');
  const artifact = await workspace.writeArtifact('prd', ARTIFACT_PATHS.prd, prd);
  await workspace.appendLog('pm', `Wrote ${artifact.path} (${artifact.bytes} bytes, sha256 ${artifact.sha256.slice(0, 12)})`);
  return { artifacts: [artifact] };
}
