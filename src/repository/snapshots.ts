// Listing and choosing snapshots: load them all (they are small), filter by host, tag and path.

import { CofferError, CorruptObjectError } from '../errors.js';
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

/** Finds a snapshot by id prefix, or `latest` (narrowed by the filter). */
export function selectSnapshot(
  snapshots: readonly StoredSnapshot[],
  spec: string,
  filter: SnapshotFilter = {},
): StoredSnapshot {
  if (spec === 'latest') {
    const match = snapshots.filter((s) => matchesFilter(s.snapshot, filter)).at(-1);
    if (!match) {
      throw new SnapshotNotFoundError(
        snapshots.length === 0
          ? 'the repository has no snapshots yet'
          : 'no snapshot matches the given --host, --path and --tag',
      );
    }
    return match;
  }
  if (!/^[0-9a-f]{4,64}$/i.test(spec)) {
    throw new SnapshotNotFoundError(
      `"${spec}" is not a snapshot id: give "latest" or at least 4 characters of an id from "coffer snapshots"`,
    );
  }
  const matches = snapshots.filter((s) => s.id.startsWith(spec.toLowerCase()));
  if (matches.length === 1) return matches[0]!;
  throw new SnapshotNotFoundError(
    matches.length === 0
      ? `no snapshot has an id starting with ${spec} ("coffer snapshots" lists them)`
      : `${spec} matches ${matches.length} snapshots; give more of the id`,
  );
}

export class SnapshotNotFoundError extends CofferError {
  readonly code = 'COFFER_E_NO_SNAPSHOT';
  readonly exitCode = 1;
}
