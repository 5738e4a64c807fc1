// Rewrite: new snapshots without the files a pattern names (the UK GDPR right to erasure, retention
// schedules for single records). With `forget`, the originals go; after prune the data is gone from storage.

import ignore, { type Ignore } from 'ignore';
import { UsageError } from '../errors.js';
import { removeSnapshots, type RetainedByLock } from './retained.js';
import {
  BlobWriter,
  blobIdOf,
  encodeSnapshot,
  encodeTree,
  loadMasterIndex,
  loadSnapshots,
  nameText,
  type Repository,
  RepositoryBlobReader,
  requireAdmin,
  saveObject,
  sealBlob,
  selectSnapshot,
  type StoredSnapshot,
  TreeCache,
  type TreeNode,
  withLock,
} from '../repository/index.js';

export interface RewriteOptions {
  /** gitignore-style patterns, relative to each backed-up folder (as for backup --exclude). */
  readonly exclude: readonly string[];
  /** Snapshot ids (prefixes); all snapshots when empty. */
  readonly snapshots?: readonly string[];
  readonly forget?: boolean;
  readonly dryRun?: boolean;
}

export interface RewrittenSnapshot {
  readonly original: string;
  /** Undefined for a dry run. */
  readonly rewritten?: string;
  readonly removedPaths: readonly string[];
}

export interface RewriteResult {
  readonly snapshots: readonly RewrittenSnapshot[];
  readonly forgotten: number;
  /** Originals `forget` would remove that Object Lock still retains: left in place until their lock ends. */
  readonly retained: readonly RetainedByLock[];
  readonly dryRun: boolean;
}

export async function runRewrite(repo: Repository, opts: RewriteOptions): Promise<RewriteResult> {
  if (opts.exclude.length === 0)
    throw new UsageError('say what to remove with --exclude PATTERN (for example --exclude "HR/Smith*")');
  if (!opts.dryRun) requireAdmin(repo, 'rewrite');
  const ctx = { storage: repo.storage, master: repo.master };
  return withLock(ctx, { exclusive: true, operation: 'rewrite' }, async () => {
    const all = await loadSnapshots(ctx);
    const chosen =
      opts.snapshots && opts.snapshots.length > 0 ? opts.snapshots.map((s) => selectSnapshot(all, s)) : all;
    const index = await loadMasterIndex(ctx);
    const trees = new TreeCache(new RepositoryBlobReader(repo.storage, repo.master, index));
    const writer = new BlobWriter(ctx, index, {
      packSize: repo.config.packSize,
      maxBlobSize: repo.config.chunker.maxSize,
    });
    const matcher = ignore({ allowRelativePaths: true }).add([...opts.exclude]);
    const out: RewrittenSnapshot[] = [];
    for (const snap of chosen) {
      const removed: string[] = [];
      const rewriter = new TreeRewriter(
        repo,
        trees,
        writer,
        matcher,
        snap.snapshot.paths,
        removed,
        Boolean(opts.dryRun),
      );
      const tree = await rewriter.rewrite(snap.snapshot.tree, '');
      if (tree === snap.snapshot.tree) continue;
      out.push({
        original: snap.id,
        removedPaths: removed,
        ...(opts.dryRun ? {} : { rewritten: await saveRewritten(repo, snap, tree, writer) }),
      });
    }
    let forgotten = 0;
    let retained: RetainedByLock[] = [];
    if (!opts.dryRun && opts.forget) {
      ({ removed: forgotten, retained } = await removeSnapshots(
        repo,
        out.map((r) => r.original),
        new Date(),
      ));
    }
    return { snapshots: out, forgotten, retained, dryRun: Boolean(opts.dryRun) };
  });
}

async function saveRewritten(
  repo: Repository,
  snap: StoredSnapshot,
  tree: string,
  writer: BlobWriter,
): Promise<string> {
  await writer.flush();
  // Same time, host, paths and tags, so retention treats it as the snapshot it replaces.
  const snapshot = { ...snap.snapshot, tree, rewrittenFrom: snap.id };
  return saveObject({ storage: repo.storage, master: repo.master }, 'snapshot', encodeSnapshot(snapshot));
}

class TreeRewriter {
  constructor(
    readonly repo: Repository,
    readonly trees: TreeCache,
    readonly writer: BlobWriter,
    readonly matcher: Ignore,
    readonly roots: readonly string[],
    readonly removed: string[],
    readonly dryRun: boolean,
  ) {}

  /** The id of the tree without excluded entries (the same id when nothing under it matched). */
  async rewrite(treeId: string, prefix: string): Promise<string> {
    const tree = await this.trees.get(treeId);
    const nodes: TreeNode[] = [];
    let changed = false;
    for (const node of tree.nodes) {
      const path = `${prefix}/${nameText(node.name)}`;
      const rel = this.relative(path);
      if (rel !== undefined && this.matcher.ignores(node.type === 'dir' ? `${rel}/` : rel)) {
        this.removed.push(path);
        changed = true;
        continue;
      }
      if (node.type === 'dir') {
        const subtree = await this.rewrite(node.subtree!, path);
        if (subtree !== node.subtree) changed = true;
        nodes.push({ ...node, subtree });
      } else {
        nodes.push(node);
      }
    }
    if (!changed) return treeId;
    const bytes = encodeTree({ nodes });
    const id = blobIdOf(this.repo.master, bytes);
    if (!this.dryRun)
      await this.writer.add(sealBlob(this.repo.master, 'tree', bytes, { compression: 'zstd', id }));
    return id;
  }

  /** The path relative to the backed-up folder it lies in, or undefined above every backed-up folder. */
  relative(path: string): string | undefined {
    for (const root of this.roots) {
      if (root === '/') return path.slice(1);
      if (path.startsWith(`${root}/`)) return path.slice(root.length + 1);
    }
    return undefined;
  }
}
