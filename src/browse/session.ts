// What every browsing command needs: the snapshots, the index, and trees through one shared cache.

import {
  loadMasterIndex,
  loadSnapshots,
  type Repository,
  RepositoryBlobReader,
  selectSnapshot,
  type SnapshotFilter,
  type StoredSnapshot,
  TreeCache,
  type TreeNode,
} from '../repository/index.js';

export interface BrowseSession {
  readonly snapshots: readonly StoredSnapshot[];
  readonly reader: RepositoryBlobReader;
  readonly trees: TreeCache;
  select(spec: string, filter?: SnapshotFilter): StoredSnapshot;
  /** The node at an absolute path in a snapshot, or undefined; `/` is the root (a directory without a node). */
  nodeAt(snapshot: StoredSnapshot, path: string): Promise<TreeNode | 'root' | undefined>;
}

export async function openBrowseSession(
  repo: Repository,
  opts: { signal?: AbortSignal } = {},
): Promise<BrowseSession> {
  const ctx = { storage: repo.storage, master: repo.master };
  const [snapshots, index] = await Promise.all([loadSnapshots(ctx, opts), loadMasterIndex(ctx, opts)]);
  const reader = new RepositoryBlobReader(repo.storage, repo.master, index);
  const trees = new TreeCache(reader);
  return {
    snapshots,
    reader,
    trees,
    select: (spec, filter) => selectSnapshot(snapshots, spec, filter),
    async nodeAt(snapshot, path) {
      const parts = path.split('/').filter(Boolean);
      if (parts.length === 0) return 'root';
      let treeId = snapshot.snapshot.tree;
      let node: TreeNode | undefined;
      for (const part of parts) {
        if (!treeId) return undefined;
        const want = Buffer.from(part);
        node = (await trees.get(treeId)).nodes.find((n) => Buffer.compare(n.name, want) === 0);
        if (!node) return undefined;
        treeId = node.type === 'dir' ? node.subtree! : '';
      }
      return node;
    },
  };
}

/** Whether a snapshot's backed-up paths include `path` (it, or a folder above it). */
export function snapshotCovers(snapshot: StoredSnapshot, path: string): boolean {
  return snapshot.snapshot.paths.some((p) => p === '/' || path === p || path.startsWith(`${p}/`));
}
