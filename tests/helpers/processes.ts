import { readdir, readFile } from 'node:fs/promises';

/** Whether a process whose command line contains `marker` is alive (any user, any namespace). */
export async function processAlive(marker: string): Promise<boolean> {
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.replace(/\0/g, ' ').includes(marker)) return true;
  }
  return false;
}
