import type { FeedbackEntry } from '../../workflows/definitions';
import { oneLineText } from '../names';

/** The "Feedback addressed" section every document revision carries, oldest feedback first, verbatim. */
export function feedbackSection(feedback: readonly FeedbackEntry[]): string {
  if (feedback.length === 0) return '## Feedback addressed\n\nNone yet: this is the first revision.\n';
  const items = feedback.map(
    (entry) => `- Iteration ${entry.iteration} (sent back to ${entry.rejectTo}): ${entry.feedback.replace(/\s+/g, ' ')}`,
  );
  return `## Feedback addressed\n\n${items.join('\n')}\n`;
}

/** A title for the project: its name when given, else the mission's first words; one clean line. */
export function projectTitle(projectName: string | null, mission: string): string {
  if (projectName && oneLineText(projectName) !== '') return oneLineText(projectName, 100);
  const words = oneLineText(mission).split(' ').slice(0, 8).join(' ');
  return words.length > 60 ? `${words.slice(0, 57)}...` : words;
}
