// Prune: reclaim the space of data no snapshot uses. Plan first (a plain value, printed by --dry-run), then
// apply in an order that keeps every remaining snapshot restorable if it stops at any point: new packs,
// then a new index (in files of at most 50 000 blobs) that supersedes the old ones, then deleting old
// index files, then deleting packs. Memory stays bounded for repositories of millions of blobs.

import { CorruptObjectError } from '../errors.js';
import {
  activeObjectLock,
  BlobWriter,
  collectUsedBlobs,
  decodeIndex,
  IndexBuilder,
  IndexedBlobSet,
  type IndexedPack,
  idFromKey,
  loadMasterIndex,
  loadObject,
  loadSnapshots,
  MasterIndex,
  objectKey,
  openBlob,
  type ReadonlyBlobIdSet,
  type Repository,
  RepositoryBlobReader,
  requireAdmin,
  saveObject,
  withLock,
} from '../repository/index.js';
import { holdRetained, type PruneRetention } from './prune-locks.js';

export interface PruneOptions {
  /** Repack partly used packs until unused data is at most this fraction of all data (default 0.05). */
  readonly maxUnused?: number;
  /** Repack at most this many bytes of packs in one run. */
  readonly maxRepackBytes?: number;
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

export interface PrunePlan {
  readonly snapshots: number;
  readonly packs: number;
  readonly usedBytes: number;
  readonly unusedBytes: number;
  /** Packs with nothing any snapshot uses, or in no index (left by an interrupted backup). */
  readonly deletePacks: readonly { readonly id: string; readonly size: number }[];
  /** Partly used packs whose used blobs are copied into new packs. */
  readonly repackPacks: readonly { readonly id: string; readonly size: number; readonly usedBytes: number }[];
  /** Bytes the storage holds less afterwards (before the repacked data is written again). */
  readonly bytesFreed: number;
  readonly indexFiles: number;
  /** What Object Lock holds back: left in place now, deleted by a prune after the locks end. */
  readonly retained: PruneRetention;
}

export interface PruneResult {
  readonly plan: PrunePlan;
  readonly dryRun: boolean;
  readonly packsWritten: number;
}

export async function runPrune(repo: Repository, opts: PruneOptions = {}): Promise<PruneResult> {
  if (!opts.dryRun) requireAdmin(repo, 'prune');
  const ctx = { storage: repo.storage, master: repo.master };
  return withLock(ctx, { exclusive: true, operation: 'prune' }, async () => {
    const state = await survey(repo, opts);
    const signal = opts.signal ? { signal: opts.signal } : {};
    const plan = await holdRetained(repo, state.plan, state.indexIds, new Date(), signal);
    if (opts.dryRun) return { plan, dryRun: true, packsWritten: 0 };
    // Under Object Lock with nothing to delete and every index file retained, a new index could replace
    // nothing: it would only add one more object that cannot be removed.
    const stuck =
      activeObjectLock(repo) !== undefined && plan.retained.indexFiles.length === state.indexIds.length;
    if (stuck && plan.deletePacks.length === 0 && plan.repackPacks.length === 0) {
      return { plan, dryRun: false, packsWritten: 0 };
    }

    // 1. Copy the used blobs of repacked packs into new packs (their boxes stay valid: the associated
    //    data binds a blob to its id and type, not to a pack). Each is opened first, so damage is not copied.
    //    `copied` (a byte per index entry) makes sure each blob is copied once, so blobs go straight in
    //    with addClaimed rather than through the writer's own Set of ids; and as a writer indexes every pack
    //    it writes, a fresh one takes over every REPACK_BATCH blobs.
    const copied = new IndexedBlobSet(state.index);
    const newWriter = (): BlobWriter =>
      new BlobWriter(ctx, new MasterIndex(), {
        packSize: repo.config.packSize,
        maxBlobSize: repo.config.chunker.maxSize,
        indexEvery: Number.MAX_SAFE_INTEGER,
      });
    let writer = newWriter();
    const newIndexFiles: string[] = [];
    let packsWritten = 0;
    const retire = async (): Promise<void> => {
      newIndexFiles.push(...(await writer.flush(opts.signal)));
      packsWritten += writer.stats.packs;
    };
    let inWriter = 0;
    for (const pack of plan.repackPacks) {
      const wanted = state.index.packBlobs(pack.id).filter((b) => state.used.has(b.id) && !copied.has(b.id));
      if (wanted.length === 0) continue;
      // One read from the first wanted blob to the end of the last, as restic does, not one per blob.
      let start = Number.POSITIVE_INFINITY;
      let end = 0;
      for (const b of wanted) {
        start = Math.min(start, b.offset);
        end = Math.max(end, b.offset + b.length);
      }
      const span = await repo.storage.get(objectKey('pack', pack.id), {
        range: { offset: start, length: end - start },
        ...signal,
      });
      for (const blob of wanted) {
        if (!copied.add(blob.id)) continue; // listed twice in this pack
        const box = span.subarray(blob.offset - start, blob.offset - start + blob.length);
        openBlob(repo.master, blob.type, blob.id, box);
        await writer.addClaimed(blob.type, blob.id, box, blob.rawLength, opts.signal);
        if (++inWriter === REPACK_BATCH) {
          await retire();
          writer = newWriter();
          inWriter = 0;
        }
      }
    }
    // The writers wrote index files for their new packs; they are folded into the new index below.
    await retire();

    // 2. A new index for everything that stays, superseding every old index file: in files of at most
    //    INDEX_FILE_BLOBS blobs, each encoded and stored in turn (one file for a million blobs would need
    //    well over 100 MB at once to build, encode, compress and seal). Readers use the union of all index
    //    files, so until the old ones are deleted below, a crash between these writes loses nothing.
    const unusedButRetained = plan.retained.packs.filter((p) => p.use === 'unused');
    const dropped = new Set(
      [...plan.deletePacks, ...plan.repackPacks, ...unusedButRetained].map((p) => p.id),
    );
    const supersedes = [...state.indexIds, ...newIndexFiles];
    let part = new IndexBuilder(supersedes);
    const list = async (pack: IndexedPack): Promise<void> => {
      if (part.blobCount > 0 && part.blobCount + pack.blobs.length > INDEX_FILE_BLOBS) {
        await saveObject(ctx, 'index', part.finish(), signal);
        part = new IndexBuilder(supersedes);
      }
      part.add(pack);
    };
    for (const id of state.index.packIds())
      if (!dropped.has(id)) await list({ id, blobs: state.index.packBlobs(id) });
    // The new packs, from the index files their writers stored (a few thousand blobs at a time).
    for (const id of newIndexFiles)
      for (const pack of decodeIndex(await loadObject(ctx, 'index', id, signal), `index/${id}`).packs)
        await list(pack);
    // The last part; with nothing left to list, an empty one still records that the old files are superseded.
    await saveObject(ctx, 'index', part.finish(), signal);

    // 3. Only now delete: old index files, then the packs no longer listed. Under Object Lock, index files
    //    still retained stay (those written just now among them) and so do the packs they or their own
    //    locks hold: the plan has left those out of its lists already.
    const keptIndex = new Set(plan.retained.indexFiles.map((f) => f.id));
    if (activeObjectLock(repo)) for (const id of newIndexFiles) keptIndex.add(id);
    for (const id of supersedes)
      if (!keptIndex.has(id)) await repo.storage.delete(objectKey('index', id), signal);
    for (const p of [...plan.deletePacks, ...plan.repackPacks])
      await repo.storage.delete(objectKey('pack', p.id), signal);
    return { plan, dryRun: false, packsWritten };
  });
}

/** Blobs copied by one BlobWriter before a fresh one takes over (bounds the index a writer keeps). */
const REPACK_BATCH = 50_000;
/** The most blobs one new index file lists (restic's full index files hold 50 000 too). */
const INDEX_FILE_BLOBS = 50_000;

interface Survey {
  readonly plan: Omit<PrunePlan, 'retained'>;
  readonly used: ReadonlyBlobIdSet;
  /** What every index file lists, pack by pack. */
  readonly index: MasterIndex;
  readonly indexIds: readonly string[];
}

async function survey(repo: Repository, opts: PruneOptions): Promise<Survey> {
  const ctx = { storage: repo.storage, master: repo.master };
  const signal = opts.signal ? { signal: opts.signal } : {};
  const snapshots = await loadSnapshots(ctx, signal);
  const index = await loadMasterIndex(ctx, signal);
  let used: ReadonlyBlobIdSet;
  try {
    used = await collectUsedBlobs(new RepositoryBlobReader(repo.storage, repo.master, index), snapshots, {
      ...signal,
      index,
    });
  } catch (err) {
    if (err instanceof CorruptObjectError) {
      throw new CorruptObjectError(
        `prune stopped before deleting anything: ${err.message}. Run "coffer check" and repair the repository first`,
        { cause: err },
      );
    }
    throw err;
  }
  const indexIds = [...index.files];
  const sizes = new Map<string, number>();
  for await (const { key, size } of repo.storage.list('data/', signal)) {
    const id = idFromKey('pack', key);
    if (id) sizes.set(id, size);
  }
  // A blob listed twice counts in the first pack that lists it (a byte per blob, not a Set of ids).
  const counted = new Uint8Array(index.entryCount);
  const deletePacks: { id: string; size: number }[] = [];
  const partial: { id: string; size: number; usedBytes: number }[] = [];
  let usedBytes = 0;
  let unusedBytes = 0;
  for (const [id, size] of sizes) {
    if (!index.hasPack(id)) {
      deletePacks.push({ id, size });
      unusedBytes += size;
      continue;
    }
    let packUsed = 0;
    for (const b of index.packBlobs(id)) {
      if (!used.has(b.id)) continue;
      const n = index.blobNumber(b.id);
      if (counted[n] === 0) {
        counted[n] = 1;
        packUsed += b.length;
      }
    }
    usedBytes += packUsed;
    unusedBytes += size - packUsed;
    if (packUsed === 0) deletePacks.push({ id, size });
    else if (packUsed < size) partial.push({ id, size, usedBytes: packUsed });
  }
  // Repack the emptiest packs first until what is left unused is within the allowance.
  const allowance = (opts.maxUnused ?? 0.05) * (usedBytes + unusedBytes);
  let remainingUnused = unusedBytes - deletePacks.reduce((n, p) => n + p.size, 0);
  let repackBudget = opts.maxRepackBytes ?? Number.POSITIVE_INFINITY;
  const repackPacks: typeof partial = [];
  for (const p of partial.sort((a, b) => a.usedBytes / a.size - b.usedBytes / b.size)) {
    if (remainingUnused <= allowance || p.size > repackBudget) break;
    repackPacks.push(p);
    remainingUnused -= p.size - p.usedBytes;
    repackBudget -= p.size;
  }
  const bytesFreed =
    deletePacks.reduce((n, p) => n + p.size, 0) + repackPacks.reduce((n, p) => n + p.size, 0);
  return {
    plan: {
      snapshots: snapshots.length,
      packs: sizes.size,
      usedBytes,
      unusedBytes,
      deletePacks,
      repackPacks,
      bytesFreed,
      indexFiles: indexIds.length,
    },
    used,
    index,
    indexIds,
  };
}
