// Differences between two snapshots' trees; identical subtrees (same id) are skipped without reading them.

import { compareNames, nameText, type TreeNode } from '../repository/index.js';
import type { BrowseSession } from './session.js';

export type ChangeKind = 'added' | 'removed' | 'modified' | 'metadata';

export interface Change {
  readonly kind: ChangeKind;
  readonly path: string;
  readonly before?: TreeNode;
  readonly after?: TreeNode;
}

/** Yields the changes from tree `a` to tree `b` (either may be undefined: an empty tree), in path order. */
export async function* diffTrees(
  session: BrowseSession,
  a: string | undefined,
  b: string | undefined,
  prefix = '',
): AsyncGenerator<Change> {
  if (a === b) return;
  const before = a ? (await session.trees.get(a)).nodes : [];
  const after = b ? (await session.trees.get(b)).nodes : [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const x = before[i];
    const y = after[j];
    const order = !x ? 1 : !y ? -1 : compareNames(x.name, y.name);
    if (order < 0) {
      yield* whole(session, 'removed', x!, prefix);
      i++;
    } else if (order > 0) {
      yield* whole(session, 'added', y!, prefix);
      j++;
    } else {
      yield* pair(session, x!, y!, `${prefix}/${nameText(x!.name)}`);
      i++;
      j++;
    }
  }
}

async function* pair(session: BrowseSession, x: TreeNode, y: TreeNode, path: string): AsyncGenerator<Change> {
  if (x.type !== y.type) {
    yield* whole(session, 'removed', x, path.slice(0, path.lastIndexOf('/')));
    yield* whole(session, 'added', y, path.slice(0, path.lastIndexOf('/')));
    return;
  }
  if (x.type === 'dir') {
    if (x.mode !== y.mode) yield { kind: 'metadata', path, before: x, after: y };
    yield* diffTrees(session, x.subtree, y.subtree, path);
    return;
  }
  const contentChanged =
    x.type === 'file'
      ? x.sha256 !== y.sha256 || x.size !== y.size
      : Buffer.compare(x.target ?? new Uint8Array(), y.target ?? new Uint8Array()) !== 0;
  if (contentChanged) yield { kind: 'modified', path, before: x, after: y };
  else if (x.mode !== y.mode || x.mtime !== y.mtime) yield { kind: 'metadata', path, before: x, after: y };
}

/** A node and, for a folder, everything in it, all added or all removed. */
async function* whole(
  session: BrowseSession,
  kind: 'added' | 'removed',
  node: TreeNode,
  prefix: string,
): AsyncGenerator<Change> {
  const path = `${prefix}/${nameText(node.name)}`;
  yield kind === 'added' ? { kind, path, after: node } : { kind, path, before: node };
  if (node.type !== 'dir') return;
  for (const child of (await session.trees.get(node.subtree!)).nodes)
    yield* whole(session, kind, child, path);
}
