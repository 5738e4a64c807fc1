// The clerk's "what did I lose" view: files in an earlier snapshot that the latest one no longer has,
// newest deletions first. Works per backup set (same host and paths), by diffing consecutive snapshots.

import type { StoredSnapshot } from '../repository/index.js';
import { diffTrees } from './diff.js';
import type { BrowseSession } from './session.js';

export interface DeletedFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** The last snapshot that has the file: restore from here. */
  readonly lastSeen: { readonly id: string; readonly time: string };
  /** The first snapshot without it: the file was deleted between the two. */
  readonly deletedBy: { readonly id: string; readonly time: string };
  readonly host: string;
}

export async function findDeleted(
  session: BrowseSession,
  opts: { since?: Date; snapshots?: readonly StoredSnapshot[] } = {},
): Promise<DeletedFile[]> {
  const groups = new Map<string, StoredSnapshot[]>();
  for (const s of opts.snapshots ?? session.snapshots) {
    const key = `${s.snapshot.host}\0${[...s.snapshot.paths].sort().join('\0')}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out: DeletedFile[] = [];
  for (const snaps of groups.values()) {
    const gone = new Map<string, DeletedFile>();
    for (let i = 1; i < snaps.length; i++) {
      const [a, b] = [snaps[i - 1]!, snaps[i]!];
      for await (const change of diffTrees(session, a.snapshot.tree, b.snapshot.tree)) {
        if (change.kind === 'added') gone.delete(change.path);
        if (change.kind !== 'removed' || change.before?.type !== 'file') continue;
        gone.set(change.path, {
          path: change.path,
          size: change.before.size ?? 0,
          sha256: change.before.sha256 ?? '',
          lastSeen: { id: a.id, time: a.snapshot.time },
          deletedBy: { id: b.id, time: b.snapshot.time },
          host: b.snapshot.host,
        });
      }
    }
    out.push(...gone.values());
  }
  const since = opts.since?.toISOString();
  return out
    .filter((d) => !since || d.deletedBy.time >= since)
    .sort((x, y) => y.deletedBy.time.localeCompare(x.deletedBy.time) || x.path.localeCompare(y.path));
}
