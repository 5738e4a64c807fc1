// Every blob the given snapshots use (their trees and the data the trees list), each tree read once.

import type { BlobReader } from './blob-reader.js';
import type { StoredSnapshot } from './snapshots.js';
import { loadTree } from './tree-walker.js';

/** Throws (CorruptObjectError, BlobNotFoundError) when a tree cannot be read: callers that delete must stop. */
export async function collectUsedBlobs(
  reader: BlobReader,
  snapshots: readonly StoredSnapshot[],
  opts: { signal?: AbortSignal } = {},
): Promise<Set<string>> {
  const used = new Set<string>();
  const pending = snapshots.map((s) => s.snapshot.tree);
  const visit = async (treeId: string): Promise<void> => {
    const tree = await loadTree(reader, treeId, opts);
    for (const node of tree.nodes) {
      for (const id of node.content ?? []) used.add(id);
      if (node.subtree && !used.has(node.subtree)) {
        used.add(node.subtree);
        pending.push(node.subtree);
      }
    }
  };
  for (const id of pending) used.add(id);
  // A few reads at once: trees are small ranged reads, and latency dominates on S3.
  while (pending.length > 0) {
    opts.signal?.throwIfAborted();
    await Promise.all(pending.splice(0, 16).map(visit));
  }
  return used;
}
