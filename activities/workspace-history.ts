import path from 'node:path';

/** Where earlier revisions of the documents are kept, relative to the work directory. */
export const HISTORY_DIR = 'docs/history';

/** `docs/PRD.md` revision 2 → `docs/history/PRD.v2.md`; `scaffold.sh` → `docs/history/scaffold.v2.sh`. */
export function revisionPath(relativePath: string, revision: number): string {
  const ext = path.extname(relativePath);
  const base = path.basename(relativePath, ext);
  return `${HISTORY_DIR}/${base}.v${revision}${ext}`;
}

/** The revision numbers among `entries` (names in the history directory) that belong to `relativePath`. */
export function revisionsIn(entries: readonly string[], relativePath: string): number[] {
  const ext = path.extname(relativePath);
  const base = path.basename(relativePath, ext);
  const pattern = new RegExp(`^${escape(base)}\\.v(\\d+)${escape(ext)}$`);
  return entries
    .map((entry) => pattern.exec(entry)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
