/**
 * The headings every PRD and technical specification has, whichever provider wrote it (`## <heading>`); specs
 * written before projects named their test command have no `Test command`.
 */
export const REQUIRED_SECTIONS = {
  prd: ['Mission', 'Goals', 'Requirements', 'Acceptance criteria', 'Feedback addressed'],
  tech_spec: ['Overview', 'Layout', 'Interfaces', 'Test plan', 'Feedback addressed', 'Test command'],
} as const;

/** The required headings a Markdown document lacks (empty when it has them all). */
export function missingSections(document: string, kind: keyof typeof REQUIRED_SECTIONS): string[] {
  return REQUIRED_SECTIONS[kind].filter((heading) => !new RegExp(`^##\\s+${heading}\\s*$`, 'm').test(document));
}
