// Loading the index and the snapshot list for a drill without stopping at a damaged object: each one
// that does not open is noted (the drill then fails and names it) and the rest are used.

import { CofferError } from '../errors.js';
import {
  decodeIndex,
  listObjectIds,
  loadObject,
  loadSnapshots,
  mapLimit,
  type Repository,
  MasterIndex,
  objectKey,
  type StoredSnapshot,
} from '../repository/index.js';
import type { DamagedObject } from './drill-result.js';

/** What reading and writing sealed objects needs. */
type ObjectContext = Pick<Repository, 'storage' | 'master'>;

export async function loadIndexNoting(
  ctx: ObjectContext,
  damaged: DamagedObject[],
  signal?: AbortSignal,
): Promise<MasterIndex> {
  const opts = signal ? { signal } : {};
  const index = new MasterIndex();
  const ids = await listObjectIds(ctx.storage, 'index', opts);
  const files = await mapLimit(ids, 8, async (id) => {
    try {
      return { id, file: decodeIndex(await loadObject(ctx, 'index', id, opts), `index/${id}`) };
    } catch (err) {
      if (signal?.aborted || !(err instanceof CofferError)) throw err;
      damaged.push({ key: objectKey('index', id), message: err.message });
      return undefined;
    }
  });
  for (const loaded of files) if (loaded) index.add(loaded.file, loaded.id);
  return index;
}

export async function loadSnapshotsNoting(
  ctx: ObjectContext,
  damaged: DamagedObject[],
  signal?: AbortSignal,
): Promise<StoredSnapshot[]> {
  return loadSnapshots(ctx, {
    ...(signal ? { signal } : {}),
    onDamaged: (id, err) => damaged.push({ key: objectKey('snapshot', id), message: err.message }),
  });
}
