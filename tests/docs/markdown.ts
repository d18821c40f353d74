/** Just enough Markdown for the docs test: table rows, headings' anchors and relative links, outside code fences. */

/** The lines of `markdown` that are not inside a fenced code block. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** The first cell of every table row (header and separator rows included; callers filter). */
export function firstCells(markdown: string): string[] {
  return proseLines(markdown)
    .filter((line) => line.trimStart().startsWith('|'))
    .map((line) => line.trim().split('|')[1]?.trim() ?? '');
}

/**
 * The names a row defines: a first cell made only of backticked SCREAMING_CASE names (`` `PORT` ``,
 * `` `PM_TIMEOUT_SECONDS`, `QA_TIMEOUT_SECONDS` ``). A cell that names a setting in passing defines none.
 */
export function namesDefinedBy(cell: string): string[] {
  if (!/^(`[A-Z][A-Z0-9_]*`[\s,]*)+$/.test(cell)) return [];
  return [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1] ?? '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = (heading[1] ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** Targets of inline links and images that are not absolute URLs (`http:`, `https:`, `mailto:`). */
export function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const line of proseLines(markdown)) {
    const withoutCode = line.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1] ?? '';
      if (!/^(https?:|mailto:)/.test(target)) links.push(target);
    }
  }
  return links;
}
