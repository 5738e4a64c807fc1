// A quick walk ahead of a first backup that counts files and bytes, so progress can show a total and an ETA.

import { lstat, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
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
  const count = (size: number): void => {
    counters.totalFiles++;
    counters.totalBytes += size;
  };
  const visit = async (dir: string, rel: string): Promise<void> => {
    if (signal?.aborted) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    if (excludes.ifPresent.some((marker) => entries.some((e) => e.name === marker))) return;
    const files: string[] = [];
    const dirs: [string, string][] = [];
    for (const e of entries) {
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (excludes.excludes(childRel, e.isDirectory())) continue;
      if (e.isFile()) files.push(path.join(dir, e.name));
      else if (e.isDirectory()) dirs.push([path.join(dir, e.name), childRel]);
    }
    // A folder's files are statted together: one round trip per file is what made this walk slow.
    await Promise.all(
      files.map(
        (f) => new Promise<void>((done) => lstat(f, (err, st) => done(err ? undefined : count(st.size)))),
      ),
    );
    for (const [full, childRel] of dirs) await visit(full, childRel);
  };
  for (const p of paths) {
    const st = await new Promise<Stats | undefined>((done) =>
      lstat(p, (err, s) => done(err ? undefined : s)),
    );
    if (st?.isFile()) count(st.size);
    else if (st?.isDirectory()) await visit(p, '');
  }
}
