// One check, start to finish: keys, snapshots, index, packs, optionally pack contents, then every snapshot's
// trees; every problem is collected (nothing stops the check) and tied to the snapshots and paths it affects.

import { InterruptedError } from '../errors.js';
import {
  MasterIndex,
  objectKey,
  type Repository,
  RepositoryBlobReader,
  withLock,
} from '../repository/index.js';
import { CountingStorage } from './counting-storage.js';
import { checkLockHorizons } from './lock-horizon.js';
import { type Finding, Findings } from './findings.js';
import { checkKeys } from './keys.js';
import {
  comparePacks,
  listStoredPacks,
  type PackComparison,
  packEntriesOf,
  type PackEntries,
} from './packs.js';
import { markBlobsBad, type PackReadJob, readPacks } from './read-data.js';
import type { CheckCounts, CheckProgress, CheckResult } from './result.js';
import { checkIndexFiles, checkRecords, checkSnapshots } from './sealed-objects.js';
import { type DataSubset, parseSubset, selectPacks } from './subset.js';
import { walkSnapshots } from './tree-walk.js';
import { noteUnusedData } from './unused.js';

export interface CheckOptions {
  /** Download and verify every pack (`all`), or a subset: `N/M` or `P%` (see parseSubset). */
  readonly readData?: 'all' | { readonly subset: string };
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: CheckProgress) => void;
  /** The random source for a percentage subset (tests pass a fixed one). */
  readonly random?: () => number;
  /** The clock Object Lock horizons are judged by. */
  readonly now?: () => Date;
}

export async function runCheck(repo: Repository, opts: CheckOptions = {}): Promise<CheckResult> {
  const subset = typeof opts.readData === 'object' ? parseSubset(opts.readData.subset) : undefined;
  try {
    // Shared: a prune running meanwhile would make deleted data look missing.
    return await withLock(
      { storage: repo.storage, master: repo.master },
      { exclusive: false, operation: 'check' },
      () => check(repo, opts, subset),
    );
  } catch (err) {
    if (opts.signal?.aborted) {
      throw new InterruptedError('the check was interrupted before it finished; nothing was changed', {
        cause: err,
      });
    }
    throw err;
  }
}

async function check(
  repo: Repository,
  opts: CheckOptions,
  subset: DataSubset | undefined,
): Promise<CheckResult> {
  const storage = new CountingStorage(repo.storage);
  const findings = new Findings();
  const base = {
    storage,
    master: repo.master,
    findings,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };

  const keys = await checkKeys({ ...base, repositoryId: repo.config.id });
  // Snapshots before the index: a backup writes its index before its snapshot, so a concurrent backup's
  // snapshot, if we see it, has its index in place too.
  const snapshots = await checkSnapshots(base);
  const indexFiles = await checkIndexFiles(base);
  const auditRecords = await checkRecords(base, 'audit');
  const drillRecords = await checkRecords(base, 'drill');
  const index = new MasterIndex();
  for (const { id, file } of indexFiles) index.add(file, id);
  const entries = packEntriesOf(indexFiles);

  const stored = await listStoredPacks(storage, opts.signal);
  const comparison = comparePacks(entries, stored);
  const badBlobs = new Map<string, Finding>();
  for (const id of comparison.missing) {
    const key = objectKey('pack', id);
    const blobs = entries.get(id) ?? [];
    const finding = findings.error(
      'pack-missing',
      key,
      `${key} is missing (the index lists ${blobs.length} blobs in it)`,
    );
    markBlobsBad(
      { index, badBlobs },
      finding,
      id,
      blobs.map((b) => b.id),
    );
  }
  opts.onProgress?.({ phase: 'packs', done: entries.size, total: entries.size });

  const jobs = packsToRead(opts.readData, subset, entries, stored, comparison, opts.random);
  await readPacks({ ...base, index, entries, badBlobs, packIds: new Set(stored.keys()) }, jobs);

  const walk = await walkSnapshots(
    { ...base, reader: new RepositoryBlobReader(storage, repo.master, index), index, badBlobs },
    snapshots,
  );
  noteUnusedData(findings, comparison, entries, walk.used);
  await checkLockHorizons(
    {
      ...base,
      config: repo.config,
      reader: new RepositoryBlobReader(storage, repo.master, index),
      index,
      indexIds: indexFiles.map((f) => f.id),
      used: walk.used,
      now: opts.now?.() ?? new Date(),
    },
    snapshots,
  );

  const counts: CheckCounts = {
    keys,
    snapshots: snapshots.length,
    indexFiles: indexFiles.length,
    packs: entries.size,
    blobs: index.blobCount,
    trees: walk.trees,
    dataBlobs: walk.dataBlobs,
    auditRecords,
    drillRecords,
    packsRead: jobs.length,
    bytesRead: storage.bytesRead,
  };
  const errors = findings.errors.map((f) => f.toError());
  return {
    ok: errors.length === 0,
    readData: opts.readData ?? 'none',
    errors,
    notes: findings.notes,
    counts,
  };
}

/** Packs whose size is wrong (always), plus those --read-data asks for; each once. */
function packsToRead(
  readData: CheckOptions['readData'],
  subset: DataSubset | undefined,
  entries: PackEntries,
  stored: ReadonlyMap<string, number>,
  comparison: PackComparison,
  random: (() => number) | undefined,
): PackReadJob[] {
  const jobs: PackReadJob[] = [...comparison.suspicious].map(([id, sizeProblem]) => ({ id, sizeProblem }));
  if (!readData) return jobs;
  const candidates = [...entries.keys()].filter((id) => stored.has(id)).sort();
  const chosen = subset ? selectPacks(candidates, subset, random) : candidates;
  for (const id of chosen) if (!comparison.suspicious.has(id)) jobs.push({ id });
  return jobs;
}
