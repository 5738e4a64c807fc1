// One backup, start to finish: load the index and the parent, archive, store packs and index, then the snapshot.

import os from 'node:os';
import path from 'node:path';
import { gearTable } from '../chunker/index.js';
import { InterruptedError, UsageError } from '../errors.js';
import {
  BlobWorkers,
  BlobWriter,
  BufferPool,
  encodeSnapshot,
  findParent,
  hashOnWorker,
  loadMasterIndex,
  loadSnapshots,
  type Repository,
  RepositoryBlobReader,
  resolveObjectId,
  saveObject,
  type Snapshot,
  type SnapshotSummary,
  withLock,
} from '../repository/index.js';
import { PROGRAM_VERSION } from '../version.js';
import { Archiver } from './archiver.js';
import { ExcludeMatcher, type ExcludeRules } from './excludes.js';
import { scanTotals } from './scanner.js';
import { type BackupCounters, type BackupWarning, isIncomplete, newCounters } from './progress.js';
import { ChunkStore } from './chunk-store.js';
import { extendRetention } from './extend-retention.js';

export interface BackupOptions {
  readonly paths: readonly string[];
  readonly tags?: readonly string[];
  readonly host?: string;
  readonly excludes?: ExcludeRules;
  readonly oneFileSystem?: boolean;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  /** A snapshot id (prefix) to compare against; by default the latest of the same host and paths. */
  readonly parent?: string;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly onWarning?: (w: BackupWarning) => void;
  /** Called with live counters; the caller decides how often to render them. */
  readonly onStart?: (counters: Readonly<BackupCounters>) => void;
  /** Count the files to back up first (in parallel with the backup), for a total and an ETA. */
  readonly estimate?: boolean;
}

export interface BackupResult {
  /** Undefined for a dry run. */
  readonly snapshotId?: string;
  readonly parentId?: string;
  readonly summary: SnapshotSummary;
  readonly warnings: readonly BackupWarning[];
  /** True when some files could not be read (exit code 3). */
  readonly incomplete: boolean;
  readonly dryRun: boolean;
  readonly packsWritten: number;
}

export async function runBackup(repo: Repository, opts: BackupOptions): Promise<BackupResult> {
  // Shared: backups only add objects, so several may run at once; prune (exclusive) waits for them.
  return withLock(
    { storage: repo.storage, master: repo.master },
    { exclusive: false, operation: 'backup' },
    () => backupLocked(repo, opts),
  );
}

async function backupLocked(repo: Repository, opts: BackupOptions): Promise<BackupResult> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const paths = normalizePaths(opts.paths);
  const host = opts.host ?? os.hostname();
  const signal = opts.signal;
  const ctx = { storage: repo.storage, master: repo.master };

  const index = await loadMasterIndex(ctx, signal ? { signal } : {});
  const snapshots = await loadSnapshots(ctx, { ...(signal ? { signal } : {}), onDamaged: () => undefined });
  const parentId = opts.parent
    ? await resolveObjectId(repo.storage, 'snapshot', opts.parent)
    : findParent(snapshots, host, paths)?.id;
  const parent = parentId ? snapshots.find((s) => s.id === parentId) : undefined;

  const workers = new BlobWorkers(repo.master);
  // A thread of its own, from the third pack on: the blob worker is as busy as this one.
  const packHashers = new BlobWorkers(repo.master, { threads: 1 });
  const writer = new BlobWriter(ctx, index, {
    packSize: repo.config.packSize,
    maxBlobSize: repo.config.chunker.maxSize,
    hasher: hashOnWorker(packHashers, { from: 2 }),
  });
  const pool = new BufferPool();
  const store = new ChunkStore(workers, writer, pool, {
    compress: repo.config.compression === 'zstd',
    dryRun: opts.dryRun ?? false,
  });
  const counters = newCounters();
  const warnings: BackupWarning[] = [];
  opts.onStart?.(counters);
  const excludes = new ExcludeMatcher(opts.excludes ?? { patterns: [], ifPresent: [] });
  if (opts.estimate) estimateTotals(parent?.snapshot.summary, paths, excludes, counters, signal);

  const archiver = new Archiver({
    master: repo.master,
    gear: gearTable(repo.master.chunker),
    chunker: {
      minSize: repo.config.chunker.minSize,
      avgSize: repo.config.chunker.avgSize,
      maxSize: repo.config.chunker.maxSize,
    },
    writer,
    store,
    pool,
    ...(parent ? { parentReader: new RepositoryBlobReader(repo.storage, repo.master, index) } : {}),
    excludes,
    oneFileSystem: opts.oneFileSystem ?? false,
    force: opts.force ?? false,
    dryRun: opts.dryRun ?? false,
    counters,
    warn: (w) => {
      warnings.push(w);
      opts.onWarning?.(w);
    },
    ...(signal ? { signal } : {}),
  });

  let tree: string;
  try {
    tree = await archiver.archive(paths, parent?.snapshot.tree);
    await store.drain();
    if (!opts.dryRun) await writer.flush(signal);
  } catch (err) {
    if (!opts.dryRun) {
      // Index what was uploaded so the next backup reuses it; no snapshot is written.
      await store.drain().catch(() => undefined);
      await writer.salvage();
    }
    if (signal?.aborted)
      throw new InterruptedError(
        'the backup was interrupted: no snapshot was written; the next backup reuses what was uploaded',
        { cause: err },
      );
    throw err;
  } finally {
    await Promise.all([workers.close(), packHashers.close()]);
  }
  const finished = now();
  const summary: SnapshotSummary = {
    filesNew: counters.filesNew,
    filesChanged: counters.filesChanged,
    filesUnmodified: counters.filesUnmodified,
    dirsNew: counters.dirsNew,
    dirsChanged: counters.dirsChanged,
    dirsUnmodified: counters.dirsUnmodified,
    bytesRead: counters.bytesRead,
    bytesAdded: store.bytesAdded,
    bytesStored: writer.stats.bytesStored,
    totalFiles: counters.filesDone,
    totalBytes: counters.bytesDone,
    started: started.toISOString(),
    finished: finished.toISOString(),
  };
  const base = {
    summary,
    warnings,
    incomplete: warnings.some(isIncomplete),
    dryRun: opts.dryRun ?? false,
    packsWritten: writer.stats.packs,
    ...(parentId ? { parentId } : {}),
  };
  if (opts.dryRun) return base;

  const user = currentUser();
  const snapshot: Snapshot = {
    version: 1,
    time: started.toISOString(),
    tree,
    paths,
    host,
    user: user.name,
    ...(user.uid !== undefined ? { uid: user.uid, gid: user.gid } : {}),
    tags: [...(opts.tags ?? [])],
    ...(parentId ? { parent: parentId } : {}),
    program: `coffer ${PROGRAM_VERSION}`,
    summary,
  };
  await extendRetention(repo, index, { snapshotTime: started, now, ...(signal ? { signal } : {}) });
  const snapshotId = await saveObject(ctx, 'snapshot', encodeSnapshot(snapshot), signal ? { signal } : {});
  return { ...base, snapshotId };
}

/**
 * Totals for the progress line's ETA. The parent snapshot's are close for every backup after the first
 * (most files are the same) and cost nothing; without a parent, a quick walk counts them meanwhile.
 */
function estimateTotals(
  parentSummary: SnapshotSummary | undefined,
  paths: readonly string[],
  excludes: ExcludeMatcher,
  counters: BackupCounters,
  signal: AbortSignal | undefined,
): void {
  if (parentSummary && parentSummary.totalFiles > 0) {
    counters.totalFiles = parentSummary.totalFiles;
    counters.totalBytes = parentSummary.totalBytes;
    return;
  }
  void scanTotals(paths, excludes, counters, signal).catch(() => undefined);
}

function normalizePaths(paths: readonly string[]): string[] {
  if (paths.length === 0) throw new UsageError('give at least one folder or file to back up');
  const abs = [...new Set(paths.map((p) => path.resolve(p)))].sort();
  // A path inside another would be stored twice; keep the outer one.
  return abs.filter((p) => !abs.some((q) => q !== p && (q === '/' || p.startsWith(`${q}/`))));
}

function currentUser(): { name: string; uid?: number; gid?: number } {
  try {
    const u = os.userInfo();
    return u.uid >= 0 ? { name: u.username, uid: u.uid, gid: u.gid } : { name: u.username };
  } catch {
    return { name: process.env.USER ?? '' };
  }
}
