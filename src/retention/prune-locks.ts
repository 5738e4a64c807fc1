// Prune under Object Lock: narrow a plan to what the storage lets go of. A pack is kept while its own
// lock lasts, and also while an index file that lists it is retained: deleting the pack would leave that
// index pointing at nothing. Kept unused packs are left out of the new index, so a later prune finds them
// (as packs no index lists, or listed only by old index files) and deletes them once nothing holds them.

import {
  activeObjectLock,
  decodeIndex,
  loadObject,
  objectKey,
  type Repository,
  stillRetained,
} from '../repository/index.js';
import type { PrunePlan } from './prune.js';
import type { RetainedByLock } from './retained.js';

/** A pack prune would have deleted or repacked, left as it is because of a lock. */
export interface RetainedPack extends RetainedByLock {
  readonly size: number;
  /** `unused`: left out of the new index; `partly used`: kept in it as it is, not repacked. */
  readonly use: 'unused' | 'partly used';
  /** Whose lock holds it: its own, or that of an index file listing it (`index/<id>`). */
  readonly heldBy: 'own lock' | string;
}

export interface PruneRetention {
  readonly packs: readonly RetainedPack[];
  /** Superseded index files that stay until their lock ends. */
  readonly indexFiles: readonly RetainedByLock[];
}

export const NOTHING_RETAINED: PruneRetention = { packs: [], indexFiles: [] };

/**
 * The plan without the packs and index files Object Lock still holds, and what those are. Costs one HEAD
 * per pack the plan would remove and per index file, plus reading the retained index files again.
 */
export async function holdRetained(
  repo: Repository,
  plan: Omit<PrunePlan, 'retained'>,
  indexIds: readonly string[],
  now: Date,
  opts: { signal?: AbortSignal } = {},
): Promise<PrunePlan> {
  const active = activeObjectLock(repo);
  if (!active) return { ...plan, retained: NOTHING_RETAINED };
  const candidates = [...plan.deletePacks, ...plan.repackPacks].map((p) => objectKey('pack', p.id));
  const indexKeys = indexIds.map((id) => objectKey('index', id));
  const held = await stillRetained(active.lock, [...candidates, ...indexKeys], now, opts);

  const indexFiles: RetainedByLock[] = [];
  /** Pack id -> the retained index file listing it that is held longest, and until when. */
  const pinned = new Map<string, { by: string; until: Date }>();
  for (const id of indexIds) {
    const until = held.get(objectKey('index', id));
    if (!until) continue;
    indexFiles.push({ id, until: until.toISOString() });
    const file = decodeIndex(await loadObject(repo, 'index', id, opts), `index/${id}`);
    for (const pack of file.packs) {
      const before = pinned.get(pack.id);
      if (!before || before.until < until) pinned.set(pack.id, { by: objectKey('index', id), until });
    }
  }

  const packs: RetainedPack[] = [];
  const holdOf = (id: string): { heldBy: string; until: Date } | undefined => {
    const own = held.get(objectKey('pack', id));
    const pin = pinned.get(id);
    if (own && (!pin || own >= pin.until)) return { heldBy: 'own lock', until: own };
    return pin ? { heldBy: pin.by, until: pin.until } : undefined;
  };
  const keep = <T extends { id: string; size: number }>(list: readonly T[], use: RetainedPack['use']): T[] =>
    list.filter((p) => {
      const hold = holdOf(p.id);
      if (hold)
        packs.push({ id: p.id, size: p.size, use, heldBy: hold.heldBy, until: hold.until.toISOString() });
      return !hold;
    });
  const deletePacks = keep(plan.deletePacks, 'unused');
  const repackPacks = keep(plan.repackPacks, 'partly used');
  const bytesFreed =
    deletePacks.reduce((n, p) => n + p.size, 0) + repackPacks.reduce((n, p) => n + p.size, 0);
  return { ...plan, deletePacks, repackPacks, bytesFreed, retained: { packs, indexFiles } };
}
