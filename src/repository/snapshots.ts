// Listing and choosing snapshots: load them all (they are small), filter by host, tag and path.

import { CorruptObjectError } from '../errors.js';
import { listObjectIds, loadObject, type ObjectContext } from './objects.js';
import { mapLimit } from './master-index.js';
import { decodeSnapshot, type Snapshot } from './snapshot.js';

export interface StoredSnapshot {
  readonly id: string;
  readonly snapshot: Snapshot;
}

export interface SnapshotFilter {
  readonly host?: string;
  readonly tags?: readonly string[];
  readonly paths?: readonly string[];
}

/** Every readable snapshot, oldest first; damaged ones are reported through `onDamaged` and skipped. */
export async function loadSnapshots(
  ctx: ObjectContext,
  opts: { signal?: AbortSignal; onDamaged?: (id: string, err: Error) => void } = {},
): Promise<StoredSnapshot[]> {
  const ids = await listObjectIds(ctx.storage, 'snapshot', opts);
  const loaded = await mapLimit(ids, 8, async (id) => {
    try {
      return { id, snapshot: decodeSnapshot(await loadObject(ctx, 'snapshot', id, opts), `snapshots/${id}`) };
    } catch (err) {
      if (!(err instanceof CorruptObjectError) || !opts.onDamaged) throw err;
      opts.onDamaged(id, err);
      return undefined;
    }
  });
  return loaded
    .filter((s): s is StoredSnapshot => s !== undefined)
    .sort((a, b) => a.snapshot.time.localeCompare(b.snapshot.time) || a.id.localeCompare(b.id));
}

export function matchesFilter(s: Snapshot, f: SnapshotFilter): boolean {
  if (f.host !== undefined && s.host !== f.host) return false;
  if (f.tags && f.tags.length > 0 && !f.tags.every((t) => s.tags.includes(t))) return false;
  if (f.paths && f.paths.length > 0 && !f.paths.every((p) => s.paths.includes(p))) return false;
  return true;
}

/** Same host and exactly the same set of paths: the parent a new backup compares against. */
export function findParent(
  snapshots: readonly StoredSnapshot[],
  host: string,
  paths: readonly string[],
): StoredSnapshot | undefined {
  const key = [...paths].sort().join('\0');
  return [...snapshots]
    .reverse()
    .find((s) => s.snapshot.host === host && [...s.snapshot.paths].sort().join('\0') === key);
}
