// One restore: choose the snapshot and the part of it, plan against the target, apply, verify, report.

import path from 'node:path';
import { UsageError } from '../errors.js';
import {
  findNode,
  loadMasterIndex,
  loadSnapshots,
  loadTree,
  type ParallelBlobReader,
  type Repository,
  RepositoryBlobReader,
  selectSnapshot,
  type SnapshotFilter,
  type StoredSnapshot,
  type TreeNode,
  withLock,
} from '../repository/index.js';
import { applyRestorePlan, PARALLEL_FROM_BYTES, type RestoreOutcome } from './apply.js';
import { writeManifest } from './manifest.js';
import { type OverwriteMode, planRestore, type RestorePlan } from './plan.js';

export interface RestoreOptions {
  /** `latest` or an id prefix. */
  readonly snapshot: string;
  readonly filter?: SnapshotFilter;
  /** Absolute path inside the snapshot; its contents (or the file) land directly in the target. */
  readonly path?: string;
  readonly target: string;
  readonly overwrite?: OverwriteMode;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly dryRun?: boolean;
  readonly manifest?: string;
  readonly signal?: AbortSignal;
  readonly onPlan?: (plan: RestorePlan) => void;
  readonly onBytes?: (n: number) => void;
  readonly onFileDone?: () => void;
  /** Told when the restore goes on without a lock because the storage refuses writes (read-only credentials). */
  readonly onWarning?: (message: string) => void;
}

export interface RestoreResult {
  readonly snapshot: StoredSnapshot;
  readonly plan: RestorePlan;
  /** Undefined for a dry run. */
  readonly outcome?: RestoreOutcome;
}

export async function runRestore(repo: Repository, opts: RestoreOptions): Promise<RestoreResult> {
  return withLock(
    { storage: repo.storage, master: repo.master },
    { exclusive: false, operation: 'restore', ...(opts.onWarning ? { onUnlocked: opts.onWarning } : {}) },
    () => restoreLocked(repo, opts),
  );
}

async function restoreLocked(repo: Repository, opts: RestoreOptions): Promise<RestoreResult> {
  const ctx = { storage: repo.storage, master: repo.master };
  const signal = opts.signal ? { signal: opts.signal } : {};
  const snapshot = selectSnapshot(await loadSnapshots(ctx, signal), opts.snapshot, opts.filter);
  const reader = new RepositoryBlobReader(repo.storage, repo.master, await loadMasterIndex(ctx, signal));
  const nodes = await nodesToRestore(reader, snapshot, opts.path ?? '/');
  // A large restore starts its worker threads as soon as the plan says it is large, so they are up
  // (~50 ms each) by the time the first file is written, the rest of the plan taking one core meanwhile.
  let parallel: ParallelBlobReader | undefined;
  const startWorkersWhenLarge = (_files: number, bytes: number): void => {
    if (bytes >= PARALLEL_FROM_BYTES && !opts.dryRun) parallel ??= reader.parallel();
  };
  let plan: RestorePlan;
  try {
    plan = await planRestore(reader, nodes, {
      target: opts.target,
      overwrite: opts.overwrite ?? 'never',
      ...(opts.include ? { include: opts.include } : {}),
      ...(opts.exclude ? { exclude: opts.exclude } : {}),
      ...signal,
      onProgress: startWorkersWhenLarge,
    });
    opts.onPlan?.(plan);
  } catch (err) {
    await parallel?.close();
    throw err;
  }
  if (opts.dryRun) return { snapshot, plan };
  const outcome = await applyRestorePlan(reader, plan, {
    ...signal,
    ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
    ...(opts.onFileDone ? { onFileDone: opts.onFileDone } : {}),
    ...(parallel ? { parallel } : {}),
  });
  if (opts.manifest) await writeManifest(opts.manifest, outcome.verified);
  return { snapshot, plan, outcome };
}

async function nodesToRestore(
  reader: RepositoryBlobReader,
  snapshot: StoredSnapshot,
  inside: string,
): Promise<readonly TreeNode[]> {
  const normalized = path.posix.normalize(`/${inside}`);
  if (normalized === '/') return (await loadTree(reader, snapshot.snapshot.tree)).nodes;
  const found = await findNode(reader, snapshot.snapshot.tree, normalized);
  if (!found?.node) {
    throw new UsageError(
      `${normalized} is not in snapshot ${snapshot.id.slice(0, 8)} ("coffer ls ${snapshot.id.slice(0, 8)}" lists what is)`,
    );
  }
  return found.node.type === 'dir' ? (await loadTree(reader, found.node.subtree!)).nodes : [found.node];
}
