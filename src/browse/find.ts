// Finding files by name across snapshots: a glob on the name (or on the whole path when it has a /).

import picomatch from 'picomatch';
import { nameText, type StoredSnapshot, type TreeNode } from '../repository/index.js';
import type { BrowseSession } from './session.js';

export interface FindOptions {
  readonly ignoreCase?: boolean;
  /** Snapshots to search; all by default. */
  readonly snapshots?: readonly StoredSnapshot[];
}

export interface Found {
  readonly path: string;
  readonly type: TreeNode['type'];
  /** Distinct versions (by content), oldest first, with the snapshots each is in. */
  readonly versions: readonly FoundVersion[];
}

export interface FoundVersion {
  readonly size?: number;
  readonly sha256?: string;
  readonly mtime: string;
  readonly snapshots: readonly { readonly id: string; readonly time: string }[];
}

export async function findFiles(
  session: BrowseSession,
  pattern: string,
  opts: FindOptions = {},
): Promise<Found[]> {
  const isMatch = picomatch(pattern, {
    nocase: opts.ignoreCase ?? false,
    dot: true,
    basename: !pattern.includes('/'),
  });
  // Matches under a tree id, relative to it, so shared subtrees are searched once however many snapshots hold them.
  const memo = new Map<string, Promise<{ rel: string; node: TreeNode }[]>>();
  const search = (treeId: string): Promise<{ rel: string; node: TreeNode }[]> => {
    let hit = memo.get(treeId);
    if (!hit) {
      hit = (async () => {
        const out: { rel: string; node: TreeNode }[] = [];
        for (const node of (await session.trees.get(treeId)).nodes) {
          const name = nameText(node.name);
          if (node.type === 'dir')
            for (const m of await search(node.subtree!)) out.push({ rel: `/${name}${m.rel}`, node: m.node });
          out.push({ rel: `/${name}`, node });
        }
        return out;
      })();
      memo.set(treeId, hit);
    }
    return hit;
  };
  const byPath = new Map<
    string,
    {
      type: TreeNode['type'];
      versions: Map<
        string,
        { size?: number; sha256?: string; mtime: string; snapshots: { id: string; time: string }[] }
      >;
    }
  >();
  for (const snap of opts.snapshots ?? session.snapshots) {
    for (const { rel, node } of await search(snap.snapshot.tree)) {
      if (!isMatch(pattern.includes('/') ? rel : rel.slice(rel.lastIndexOf('/') + 1))) continue;
      let entry = byPath.get(rel);
      if (!entry) byPath.set(rel, (entry = { type: node.type, versions: new Map() }));
      const key = node.type === 'file' ? node.sha256! : node.type;
      let version = entry.versions.get(key);
      if (!version) {
        entry.versions.set(
          key,
          (version = {
            ...(node.size !== undefined ? { size: node.size } : {}),
            ...(node.sha256 ? { sha256: node.sha256 } : {}),
            mtime: node.mtime,
            snapshots: [],
          }),
        );
      }
      version.snapshots.push({ id: snap.id, time: snap.snapshot.time });
    }
  }
  return [...byPath]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, e]) => ({ path, type: e.type, versions: [...e.versions.values()] }));
}
