import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { childPath } from './child-env';

/**
 * Where `command` resolves for a child: itself when it has a slash (relative ones from `cwd`), else the first
 * executable of that name on the children's PATH; null when there is none.
 */
export async function findChildExecutable(command: string, cwd: string): Promise<string | null> {
  const candidates = command.includes('/')
    ? [path.resolve(cwd, command)]
    : childPath()
        .split(':')
        .map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
