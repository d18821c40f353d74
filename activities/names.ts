/** A package-style name for the project: lowercase letters, digits and dashes, never empty. */
export function projectSlug(projectName: string | null, mission: string): string {
  const source = projectName?.trim() || mission.trim().split(/\s+/).slice(0, 6).join(' ');
  const slug = source
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return slug || 'generated-project';
}

/** Text safe for one line of a document title or log: control characters removed, whitespace collapsed. */
export function oneLineText(text: string, maxLength = 200): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}
