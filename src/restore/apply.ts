// Carrying out a restore plan: folders first, then files and links (several at once), then folder
// times and modes last, since writing into a folder changes its time.

import { lstat, lutimes, mkdir, rename, symlink, chmod, utimes, lchown, chown } from 'node:fs/promises';
import { CofferError } from '../errors.js';
import { type BlobReader, mapLimit, type ParallelBlobReader } from '../repository/index.js';
import { mtimeSeconds, tempNameFor, writeRestoredFile } from './file-writer.js';
import type { PlanItem, RestorePlan } from './plan.js';
import { UnsafeTargetError } from './errors.js';
import type { RestoreTimings } from './timings.js';

/** Restores of at least this many bytes open data blobs on worker threads. */
export const PARALLEL_FROM_BYTES = 8 * 1024 * 1024;

/** Folder operations (mkdir, chmod, utimes) in flight at once. */
const DIRS_AT_ONCE = 16;

export interface RestoreProblem {
  readonly path: string;
  readonly message: string;
}

export interface RestoreOutcome {
  readonly filesRestored: number;
  readonly bytesRestored: number;
  readonly identical: number;
  readonly conflicts: readonly RestoreProblem[];
  readonly errors: readonly RestoreProblem[];
  /** SHA-256 and path (relative to the target) of every file verified in place, for --manifest. */
  readonly verified: readonly { readonly rel: Buffer; readonly sha256: string }[];
}

export interface ApplyOptions {
  readonly signal?: AbortSignal;
  readonly concurrency?: number;
  readonly onBytes?: (n: number) => void;
  readonly onFileDone?: () => void;
  /** Drills: time spent per phase is added here. */
  readonly timings?: RestoreTimings;
  /**
   * Worker threads started ahead (while planning) for this restore, which closes them; without it they are
   * started here when the plan has PARALLEL_FROM_BYTES or more.
   */
  readonly parallel?: ParallelBlobReader;
}

export async function applyRestorePlan(
  reader: BlobReader,
  plan: RestorePlan,
  opts: ApplyOptions = {},
): Promise<RestoreOutcome> {
  // Data blobs are opened, hashed and written on worker threads, while this thread creates the files (and
  // reads the blobs, where the workers cannot read the storage themselves); a small restore (one file from a history, say) is done before the workers
  // would have started. The parallel reader leaves content ids to the SHA-256 writeRestoredFile checks
  // every file against.
  const parallel = opts.parallel ?? (plan.bytes >= PARALLEL_FROM_BYTES ? reader.parallel?.() : undefined);
  try {
    return await applyWith(parallel?.reader ?? reader, parallel, plan, opts);
  } finally {
    await parallel?.close();
  }
}

async function applyWith(
  dataReader: BlobReader,
  parallel: ParallelBlobReader | undefined,
  plan: RestorePlan,
  opts: ApplyOptions,
): Promise<RestoreOutcome> {
  const chownToo = process.getuid?.() === 0;
  const full = (rel: Buffer): Buffer => Buffer.concat([Buffer.from(plan.target), Buffer.from('/'), rel]);
  const conflicts = plan.items
    .filter((i) => i.action === 'conflict')
    .map((i) => problem(i, i.reason ?? 'conflict'));
  const errors: RestoreProblem[] = [];
  const verified: { rel: Buffer; sha256: string }[] = [];
  let filesRestored = 0;
  let bytesRestored = 0;

  await mkdir(plan.target, { recursive: true });
  const dirs = plan.items.filter((i) => i.node.type === 'dir' && i.action !== 'conflict');
  // Parents before children; the folders of one depth at once.
  for (const level of byDepth(dirs)) {
    await mapLimit(level, DIRS_AT_ONCE, async (d) => {
      const p = full(d.rel);
      // A folder mkdir made is a real one; one that was there must be checked.
      if (d.action === 'create') return void (await mkdir(p, { mode: 0o700 }));
      const st = await lstat(p);
      // Never write through a link: a folder in the target must be a real folder.
      if (!st.isDirectory())
        throw new UnsafeTargetError(
          `${p.toString()} is not a real folder (a link?): the restore stopped before writing into it`,
        );
    });
  }

  const work = plan.items.filter(
    (i) => i.node.type !== 'dir' && (i.action === 'create' || i.action === 'overwrite'),
  );
  await mapLimit(work, opts.concurrency ?? 8, async (item) => {
    opts.signal?.throwIfAborted();
    const p = full(item.rel);
    try {
      if (item.node.type === 'file') {
        const sha256 = await writeRestoredFile(dataReader, item.node, p, {
          chown: chownToo,
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
          ...(opts.timings ? { timings: opts.timings } : {}),
          ...(parallel ? { parallel } : {}),
        });
        verified.push({ rel: item.rel, sha256 });
        filesRestored++;
        bytesRestored += item.node.size ?? 0;
        opts.onFileDone?.();
      } else {
        const temp = tempNameFor(p);
        await symlink(Buffer.from(item.node.target!), temp);
        if (chownToo && item.node.uid !== undefined)
          await lchown(temp, item.node.uid, item.node.gid ?? 0).catch(() => undefined);
        const t = mtimeSeconds(item.node);
        await lutimes(temp, t, t).catch(() => undefined);
        await rename(temp, p);
      }
    } catch (err) {
      if (opts.signal?.aborted || !(err instanceof CofferError || isFsError(err))) throw err;
      errors.push(problem(item, (err as Error).message));
    }
  });

  // Children before parents (a folder's mode may shut out writing into it); one depth at once.
  for (const level of byDepth(dirs).reverse()) {
    await mapLimit(level, DIRS_AT_ONCE, async (d) => {
      const p = full(d.rel);
      await chmod(p, d.node.mode);
      if (chownToo && d.node.uid !== undefined)
        await chown(p, d.node.uid, d.node.gid ?? 0).catch(() => undefined);
      const t = mtimeSeconds(d.node);
      await utimes(p, t, t);
    });
  }
  const identical = plan.items.filter((i) => i.action === 'identical' && i.node.type !== 'dir').length;
  return { filesRestored, bytesRestored, identical, conflicts, errors, verified };
}

/** Folders grouped by depth (how many `/` their path has), shallowest first. */
function byDepth(dirs: readonly PlanItem[]): PlanItem[][] {
  const levels: PlanItem[][] = [];
  for (const d of dirs) {
    let depth = 0;
    for (const byte of d.rel) if (byte === 0x2f) depth++;
    (levels[depth] ??= []).push(d);
  }
  return levels.filter((l) => l !== undefined);
}

function problem(item: PlanItem, message: string): RestoreProblem {
  return { path: item.rel.toString(), message };
}

function isFsError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}
