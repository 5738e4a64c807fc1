// Walking a snapshot's trees depth-first, and reading a file node's content back chunk by chunk.

import type { BlobReader } from './blob-reader.js';
import { decodeTree, type Tree, type TreeNode } from './tree.js';

export interface WalkEntry {
  /** Path of the entry from the root tree, as raw bytes joined with `/`, starting with `/`. */
  readonly path: Uint8Array;
  readonly node: TreeNode;
}

export async function loadTree(
  reader: BlobReader,
  id: string,
  opts: { signal?: AbortSignal } = {},
): Promise<Tree> {
  return decodeTree(await reader.readBlob('tree', id, opts), `tree ${id.slice(0, 12)}`);
}

/** Yields every node under `treeId`, parents before children, in name order. */
export async function* walkTree(
  reader: BlobReader,
  treeId: string,
  prefix: Uint8Array = new Uint8Array(0),
  opts: { signal?: AbortSignal } = {},
): AsyncGenerator<WalkEntry> {
  const tree = await loadTree(reader, treeId, opts);
  for (const node of tree.nodes) {
    const path = Buffer.concat([prefix, Buffer.from('/'), node.name]);
    yield { path, node };
    if (node.type === 'dir' && node.subtree) yield* walkTree(reader, node.subtree, path, opts);
  }
}

/** The content of a file node, one chunk at a time. */
export async function* readFileContent(
  reader: BlobReader,
  node: TreeNode,
  opts: { signal?: AbortSignal } = {},
): AsyncGenerator<Uint8Array> {
  for (const id of node.content ?? []) yield await reader.readBlob('data', id, opts);
}

/** The node at an absolute path inside a snapshot (`/` gives undefined: the root tree itself). */
export async function findNode(
  reader: BlobReader,
  rootTree: string,
  path: string,
  opts: { signal?: AbortSignal } = {},
): Promise<{ node?: TreeNode; treeId: string } | undefined> {
  const parts = path.split('/').filter(Boolean);
  let treeId = rootTree;
  let node: TreeNode | undefined;
  for (const [i, part] of parts.entries()) {
    const tree = await loadTree(reader, treeId, opts);
    const want = Buffer.from(part);
    node = tree.nodes.find((n) => Buffer.compare(n.name, want) === 0);
    if (!node) return undefined;
    if (i < parts.length - 1) {
      if (node.type !== 'dir' || !node.subtree) return undefined;
      treeId = node.subtree;
    }
  }
  return node ? { node, treeId: node.subtree ?? treeId } : { treeId };
}
