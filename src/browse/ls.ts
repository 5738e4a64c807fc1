// Listing a snapshot: every entry under a path, depth first, parents before children.

import { nameText, type TreeNode } from '../repository/index.js';
import type { BrowseSession } from './session.js';
import type { StoredSnapshot } from '../repository/index.js';

export interface ListedEntry {
  readonly path: string;
  readonly node: TreeNode;
}

/** Yields the entries at and below `path` (the entry itself first, when it is not the root). */
export async function* listSnapshot(
  session: BrowseSession,
  snapshot: StoredSnapshot,
  path = '/',
): AsyncGenerator<ListedEntry> {
  const normalized = `/${path.split('/').filter(Boolean).join('/')}`;
  const start = await session.nodeAt(snapshot, normalized);
  if (start === undefined) return;
  if (start !== 'root') {
    yield { path: normalized, node: start };
    if (start.type !== 'dir') return;
  }
  const treeId = start === 'root' ? snapshot.snapshot.tree : start.subtree!;
  yield* walk(session, treeId, normalized === '/' ? '' : normalized);
}

async function* walk(session: BrowseSession, treeId: string, prefix: string): AsyncGenerator<ListedEntry> {
  for (const node of (await session.trees.get(treeId)).nodes) {
    const path = `${prefix}/${nameText(node.name)}`;
    yield { path, node };
    if (node.type === 'dir') yield* walk(session, node.subtree!, path);
  }
}
