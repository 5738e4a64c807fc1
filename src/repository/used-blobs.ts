// Every blob the given snapshots use (their trees and the data the trees list), each tree read once.

import { CorruptObjectError } from '../errors.js';
import { BlobIdSet, type BlobIdSetLike, IndexedBlobSet, type ReadonlyBlobIdSet } from './blob-id-set.js';
import type { BlobReader } from './blob-reader.js';
import { isRecord } from './config.js';
import type { MasterIndex } from './master-index.js';
import { parseJson } from './sealed.js';
import type { StoredSnapshot } from './snapshots.js';

/** Trees read at once: enough to hide storage latency, few enough that their garbage stays small. */
const TREES_AT_ONCE = 8;

/**
 * Throws (CorruptObjectError, BlobNotFoundError) when a tree cannot be read: callers that delete must stop.
 * Built for repositories of millions of blobs (prune must stay under 500 MB): trees are read only for
 * what they refer to, not decoded whole, and the set is compact: with `index`, a byte per index entry
 * (ids the index does not list are left out: no pack holds them), else some 45 bytes per id.
 */
export async function collectUsedBlobs(
  reader: BlobReader,
  snapshots: readonly StoredSnapshot[],
  opts: { signal?: AbortSignal; index?: MasterIndex } = {},
): Promise<ReadonlyBlobIdSet> {
  const used: BlobIdSetLike = opts.index ? new IndexedBlobSet(opts.index) : new BlobIdSet();
  const pending: string[] = [];
  const unlisted = new Set<string>();
  const follow = (id: string): void => {
    if (used.add(id)) pending.push(id);
    else if (!used.has(id) && !unlisted.has(id)) {
      // A tree the index does not list is still read once, so that reading it fails loudly.
      unlisted.add(id);
      pending.push(id);
    }
  };
  const visit = async (treeId: string): Promise<void> => {
    const what = `tree ${treeId.slice(0, 12)}`;
    treeReferences(await reader.readBlob('tree', treeId, opts), what, (id, isTree) => {
      if (isTree) follow(id);
      else used.add(id);
    });
  };
  for (const s of snapshots) follow(s.snapshot.tree);
  while (pending.length > 0) {
    opts.signal?.throwIfAborted();
    await Promise.all(pending.splice(0, TREES_AT_ONCE).map(visit));
  }
  return used;
}

const isBlobId = (id: unknown): id is string => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id);

/**
 * The blobs a tree (docs/format.md 9.2) refers to: each file node's content and each directory node's
 * subtree. Only as strict as finding every reference needs: a node whose references cannot be read
 * stops the caller, while damage elsewhere in a node (its name, say) is left to decodeTree and check.
 * A full decode costs several objects per node, which for big trees is most of prune's garbage.
 */
function treeReferences(bytes: Uint8Array, what: string, visit: (id: string, isTree: boolean) => void): void {
  const tree = parseJson(bytes, what);
  if (!isRecord(tree) || !Array.isArray(tree.nodes))
    throw new CorruptObjectError(`${what} is damaged: it has no node list`);
  for (const node of tree.nodes as unknown[]) {
    if (!isRecord(node)) throw new CorruptObjectError(`${what} is damaged: a node is not an object`);
    const { type, content, subtree } = node;
    if (type !== 'file' && type !== 'dir' && type !== 'symlink')
      throw new CorruptObjectError(`${what} is damaged: a node has unknown type ${String(type)}`);
    // As decodeTree reads them: content on any node that has a valid list, a subtree wherever one is given.
    if (Array.isArray(content) && content.every(isBlobId)) for (const id of content) visit(id, false);
    else if (type === 'file')
      throw new CorruptObjectError(`${what} is damaged: a file node lacks its content`);
    if (subtree !== undefined || type === 'dir') {
      if (!isBlobId(subtree))
        throw new CorruptObjectError(`${what} is damaged: a directory node lacks its subtree`);
      visit(subtree, true);
    }
  }
}
