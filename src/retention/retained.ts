// What Object Lock still retains: forget and rewrite leave such snapshots in place and say until when,
// rather than ask the storage to delete what it must keep (docs/immutability.md).

import { activeObjectLock, objectKey, type Repository, stillRetained } from '../repository/index.js';

/** A snapshot (or pack, or index file) left in place because its lock has not ended. */
export interface RetainedByLock {
  readonly id: string;
  /** When the lock ends (ISO 8601): a forget or prune after that removes it. */
  readonly until: string;
}

/** Which of these snapshots the storage still retains (none when the repository has no Object Lock). */
export async function retainedSnapshots(
  repo: Repository,
  ids: readonly string[],
  now: Date,
  opts: { signal?: AbortSignal } = {},
): Promise<RetainedByLock[]> {
  const active = activeObjectLock(repo);
  if (!active || ids.length === 0) return [];
  const keys = ids.map((id) => objectKey('snapshot', id));
  const held = await stillRetained(active.lock, keys, now, opts);
  return ids.flatMap((id) => {
    const until = held.get(objectKey('snapshot', id));
    return until ? [{ id, until: until.toISOString() }] : [];
  });
}

/** Deletes the snapshots whose lock has ended or that have none; the others are returned, untouched. */
export async function removeSnapshots(
  repo: Repository,
  ids: readonly string[],
  now: Date,
  opts: { signal?: AbortSignal } = {},
): Promise<{ removed: number; retained: RetainedByLock[] }> {
  const retained = await retainedSnapshots(repo, ids, now, opts);
  const keep = new Set(retained.map((r) => r.id));
  let removed = 0;
  for (const id of ids) {
    if (keep.has(id)) continue;
    await repo.storage.delete(objectKey('snapshot', id), opts);
    removed++;
  }
  return { removed, retained };
}
