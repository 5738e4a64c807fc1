// Planning a restore: which entries of a snapshot go where under the target, and what happens to anything
// already there. A plan is a plain value: printed by --dry-run, tested without writing anything.

import { createHash } from 'node:crypto';
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import ignore from 'ignore';
import type { Stats } from 'node:fs';
import { type BlobReader, loadTree, nameText, type Tree, type TreeNode } from '../repository/index.js';

export type OverwriteMode = 'never' | 'if-changed' | 'always';

export type PlanAction =
  /** Nothing there: create it. */
  | 'create'
  /** Something different there, replaced as --overwrite allows. */
  | 'overwrite'
  /** The same content is there already. */
  | 'identical'
  /** Something different is there and --overwrite does not allow replacing it: reported, left alone. */
  | 'conflict';

export interface PlanItem {
  /** Path under the target, `/`-separated raw bytes. */
  readonly rel: Buffer;
  readonly node: TreeNode;
  readonly action: PlanAction;
  /** Why there is a conflict. */
  readonly reason?: string;
}

export interface RestorePlan {
  readonly target: string;
  readonly items: readonly PlanItem[];
  readonly files: number;
  readonly bytes: number;
  readonly conflicts: number;
}

export interface PlanOptions {
  readonly target: string;
  readonly overwrite: OverwriteMode;
  /** gitignore-style patterns, relative to the restored root: only matching paths (and their folders) are restored. */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly signal?: AbortSignal;
  /** After each file planned for writing: the files and bytes planned so far. */
  readonly onProgress?: (files: number, bytes: number) => void;
}

/** Plans restoring `nodes` (the children of a directory, or one file) into the target. */
export async function planRestore(
  reader: BlobReader,
  nodes: readonly TreeNode[],
  opts: PlanOptions,
): Promise<RestorePlan> {
  const target = path.resolve(opts.target);
  const includes =
    opts.include && opts.include.length > 0
      ? ignore({ allowRelativePaths: true }).add([...opts.include])
      : undefined;
  const excludes =
    opts.exclude && opts.exclude.length > 0
      ? ignore({ allowRelativePaths: true }).add([...opts.exclude])
      : undefined;
  const items: PlanItem[] = [];
  let files = 0;
  let bytes = 0;

  const trees = new TreeAhead(reader);
  // Under a folder that is not there, nothing is: no need to ask the disk about each entry.
  const absent = (await lstatOrUndefined(target)) === undefined;

  /** `missing`: the folder `relDir` does not exist in the target (so none of `list` does). */
  const visit = async (
    list: readonly TreeNode[],
    relDir: Buffer,
    relText: string,
    missing: boolean,
  ): Promise<boolean> => {
    let any = false;
    for (const node of list) {
      const text = relText === '' ? nameText(node.name) : `${relText}/${nameText(node.name)}`;
      if (node.type === 'dir' && node.subtree && !excludes?.ignores(`${text}/`)) trees.prefetch(node.subtree);
    }
    for (const node of list) {
      opts.signal?.throwIfAborted();
      const rel =
        relDir.length === 0 ? Buffer.from(node.name) : Buffer.concat([relDir, Buffer.from('/'), node.name]);
      const text = relText === '' ? nameText(node.name) : `${relText}/${nameText(node.name)}`;
      const isDir = node.type === 'dir';
      if (excludes?.ignores(isDir ? `${text}/` : text)) continue;
      if (isDir) {
        const at = items.length;
        const item: PlanItem = missing
          ? { rel, node, action: 'create' }
          : await planEntry(target, rel, node, opts.overwrite);
        items.push(item);
        if (item.action === 'conflict') trees.forget(node.subtree!);
        const childAny =
          item.action === 'conflict'
            ? false
            : await visit((await trees.take(node.subtree!)).nodes, rel, text, item.action === 'create');
        // With --include, a folder is kept only for what it leads to.
        if (includes && !childAny && !includes.ignores(`${text}/`)) items.splice(at, 1);
        else any = true;
        continue;
      }
      if (includes && !includes.ignores(text)) continue;
      const item: PlanItem = missing
        ? { rel, node, action: 'create' }
        : await planEntry(target, rel, node, opts.overwrite);
      items.push(item);
      any = true;
      if (node.type === 'file' && (item.action === 'create' || item.action === 'overwrite')) {
        files++;
        bytes += node.size ?? 0;
        opts.onProgress?.(files, bytes);
      }
    }
    return any;
  };
  await visit(nodes, Buffer.alloc(0), '', absent);
  const conflicts = items.filter((i) => i.action === 'conflict').length;
  return { target, items, files, bytes, conflicts };
}

/** Folder listings loaded ahead of the walk (a folder's subfolders while it is planned), a few at a time. */
class TreeAhead {
  readonly #reader: BlobReader;
  readonly #ahead = new Map<string, Promise<Tree>>();

  constructor(reader: BlobReader) {
    this.#reader = reader;
  }

  prefetch(id: string): void {
    if (this.#ahead.size >= 32 || this.#ahead.has(id)) return;
    const tree = loadTree(this.#reader, id);
    tree.catch(() => undefined); // reported when taken
    this.#ahead.set(id, tree);
  }

  forget(id: string): void {
    this.#ahead.delete(id);
  }

  take(id: string): Promise<Tree> {
    const tree = this.#ahead.get(id);
    if (!tree) return loadTree(this.#reader, id);
    this.#ahead.delete(id);
    return tree;
  }
}

function lstatOrUndefined(p: Buffer | string): Promise<Stats | undefined> {
  return lstat(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

async function planEntry(
  target: string,
  rel: Buffer,
  node: TreeNode,
  overwrite: OverwriteMode,
): Promise<PlanItem> {
  const full = Buffer.concat([Buffer.from(target), Buffer.from('/'), rel]);
  const existing = await lstatOrUndefined(full);
  if (!existing) return { rel, node, action: 'create' };
  if (node.type === 'dir') {
    return existing.isDirectory()
      ? { rel, node, action: 'identical' }
      : { rel, node, action: 'conflict', reason: 'something that is not a folder is in the way' };
  }
  if (existing.isDirectory()) return { rel, node, action: 'conflict', reason: 'a folder is in the way' };
  if (overwrite === 'always') return { rel, node, action: 'overwrite' };
  if (
    node.type === 'file' &&
    existing.isFile() &&
    existing.size === node.size &&
    (await sha256File(full)) === node.sha256
  ) {
    return { rel, node, action: 'identical' };
  }
  if (overwrite === 'never') {
    return {
      rel,
      node,
      action: 'conflict',
      reason: 'a different version exists there (use --overwrite if-changed to replace it)',
    };
  }
  return { rel, node, action: 'overwrite' };
}

/** Reused read buffers: a restore re-reads every file it writes, and fresh megabytes per file fed the GC. */
const hashBuffers: Buffer[] = [];

export async function sha256File(p: Buffer | string): Promise<string> {
  const hash = createHash('sha256');
  const buf = hashBuffers.pop() ?? Buffer.allocUnsafe(1024 * 1024);
  const fh = await open(p, 'r');
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    hashBuffers.push(buf);
    await fh.close();
  }
  return hash.digest('hex');
}
