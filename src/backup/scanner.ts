// A quick walk ahead of the backup that counts files and bytes, so progress can show a total and an ETA.

import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ExcludeMatcher } from './excludes.js';
import type { BackupCounters } from './progress.js';

/** Adds every regular file under `paths` to counters.totalFiles/totalBytes; errors are left to the backup. */
export async function scanTotals(
  paths: readonly string[],
  excludes: ExcludeMatcher,
  counters: BackupCounters,
  signal?: AbortSignal,
): Promise<void> {
  const visit = async (full: string, rel: string): Promise<void> => {
    if (signal?.aborted) return;
    const st = await lstat(full).catch(() => undefined);
    if (!st) return;
    if (st.isFile()) {
      counters.totalFiles++;
      counters.totalBytes += st.size;
      return;
    }
    if (!st.isDirectory()) return;
    const entries = await readdir(full, { withFileTypes: true }).catch(() => []);
    if (excludes.ifPresent.some((marker) => entries.some((e) => e.name === marker))) return;
    for (const e of entries) {
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (excludes.excludes(childRel, e.isDirectory())) continue;
      if (e.isFile() || e.isDirectory()) await visit(path.join(full, e.name), childRel);
    }
  };
  for (const p of paths) await visit(p, '');
}
