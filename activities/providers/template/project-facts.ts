import { projectTitle } from '../../agents/feedback-section';
import type { AgentBrief } from '../types';

/** The facts a generated project (Node or Python) is built from. */
export function facts(brief: AgentBrief): { mission: string; title: string; feedback: string[] } {
  return {
    mission: brief.mission.trim(),
    title: projectTitle(brief.projectName, brief.mission),
    feedback: brief.feedback.map((entry) => entry.feedback.trim()),
  };
}

/** A file `scaffold.sh` writes; `always: false` only when it is not there yet (the stub the engineer replaces). */
export interface ScaffoldFile {
  path: string;
  content: string;
  always: boolean;
}
