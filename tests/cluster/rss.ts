import { readFile } from 'node:fs/promises';

/** Resident set size of a process in MiB, from /proc (null when it is gone). */
export async function rssMiB(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const kib = status ? /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] : undefined;
  return kib ? Math.round((Number(kib) / 1024) * 10) / 10 : null;
}
