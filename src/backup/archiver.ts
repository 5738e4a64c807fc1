// The archiver: walks the sources, stores what changed as chunks, and builds the tree blobs bottom-up.

import type { BigIntStats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { chunkStream, type ChunkerOptions } from '../chunker/index.js';
import { CofferError } from '../errors.js';
import {
  type BlobReader,
  blobIdOf,
  type BlobWriter,
  BOX_OVERHEAD,
  type BufferPool,
  compareNames,
  decodeTree,
  encodeTree,
  type MasterKey,
  sealBlob,
  type TreeNode,
} from '../repository/index.js';
import { DirPrefetcher, joinPath } from './dir-listing.js';
import { ExcludeMatcher } from './excludes.js';
import { closeFile, FileBuffers, openForReading, readPieces, statOpen } from './file-source.js';
import { baseMeta, changeMeta, looksUnchanged } from './node-meta.js';
import type { BackupCounters, BackupWarning } from './progress.js';
import type { ChunkStore } from './chunk-store.js';
import { Semaphore } from './semaphore.js';

export interface ArchiverDeps {
  readonly master: MasterKey;
  readonly gear: Uint32Array;
  readonly chunker: ChunkerOptions;
  readonly writer: BlobWriter;
  readonly store: ChunkStore;
  /** Buffers for chunks, which the store hands back once they are in a pack. */
  readonly pool: BufferPool;
  /** Reads the parent snapshot's trees; absent for a first backup. */
  readonly parentReader?: BlobReader;
  readonly excludes: ExcludeMatcher;
  readonly oneFileSystem: boolean;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly counters: BackupCounters;
  readonly warn: (w: BackupWarning) => void;
  readonly signal?: AbortSignal;
}

const READ_SIZE = 1024 * 1024;

/** A tree node, or one whose content ids the workers are still computing (wrapped so it is not awaited early). */
type NodeOrPending = TreeNode | { readonly pending: Promise<TreeNode | undefined> };

/** Files read at once: hides the latency of opening and reading many small files one after another. */
const FILES_AT_ONCE = 2;

/** A node of the path skeleton that leads from `/` down to the backed-up paths. */
interface Skeleton {
  readonly children: Map<string, Skeleton>;
  source: boolean;
}

export class Archiver {
  readonly #d: ArchiverDeps;
  readonly #fileSlots = new Semaphore(FILES_AT_ONCE);
  /** Parent listings being loaded ahead of the walk. */
  readonly #parentTrees = new Map<string, Promise<Map<string, TreeNode>>>();
  readonly #buffers: FileBuffers[] = [];
  readonly #listings = new DirPrefetcher();

  constructor(deps: ArchiverDeps) {
    this.#d = deps;
  }

  /** Archives absolute `paths`; returns the root tree id. The tree mirrors absolute paths, as restic's does. */
  async archive(paths: readonly string[], parentRoot: string | undefined): Promise<string> {
    const root: Skeleton = { children: new Map(), source: false };
    for (const p of paths) {
      let node = root;
      for (const part of p.split('/').filter(Boolean)) {
        let next = node.children.get(part);
        if (!next) node.children.set(part, (next = { children: new Map(), source: false }));
        node = next;
      }
      node.source = true;
    }
    return this.#skeletonTree(Buffer.from('/'), root, parentRoot);
  }

  async #skeletonTree(dir: Buffer, skel: Skeleton, parentTreeId: string | undefined): Promise<string> {
    const parent = await this.#parentNodes(parentTreeId);
    const nodes: NodeOrPending[] = [];
    for (const [name, child] of [...skel.children].sort(([a], [b]) =>
      compareNames(Buffer.from(a), Buffer.from(b)),
    )) {
      const nameBytes = Buffer.from(name);
      const path = joinPath(dir, nameBytes);
      const previous = parent.get(key(nameBytes));
      if (child.source) {
        const st = await this.#lstat(path);
        if (!st) continue;
        const node = await this.#entry(path, nameBytes, '', st, previous, st.dev);
        if (node) nodes.push(node);
        continue;
      }
      const st = await this.#lstat(path);
      if (!st) continue;
      const subtree = await this.#skeletonTree(
        path,
        child,
        previous?.type === 'dir' ? previous.subtree : undefined,
      );
      nodes.push({ name: nameBytes, type: 'dir', ...baseMeta(st), subtree });
    }
    return this.#storeTree(nodes);
  }

  /** One directory entry of any type; undefined when it is skipped. */
  async #entry(
    path: Buffer,
    name: Buffer,
    rel: string,
    st: BigIntStats,
    previous: TreeNode | undefined,
    rootDev: bigint,
  ): Promise<NodeOrPending | undefined> {
    this.#d.signal?.throwIfAborted();
    if (st.isFile()) return this.#file(path, name, st, previous);
    if (st.isDirectory()) {
      if (this.#d.oneFileSystem && st.dev !== rootDev) {
        this.#d.warn({
          kind: 'skipped-special',
          path: text(path),
          message: 'on another file system (--one-file-system): skipped',
        });
        return undefined;
      }
      const listing = await this.#dir(
        path,
        rel,
        previous?.type === 'dir' ? previous.subtree : undefined,
        rootDev,
      );
      if (listing === undefined) return undefined;
      const meta = baseMeta(st);
      // The folder's tree is stored once all its files' chunks are named; meanwhile the walk goes on.
      return {
        pending: quiet(
          listing.subtree.then((subtree) => {
            const c = this.#d.counters;
            if (!previous || previous.type !== 'dir') c.dirsNew++;
            else if (previous.subtree === subtree) c.dirsUnmodified++;
            else c.dirsChanged++;
            return { name, type: 'dir' as const, ...meta, subtree };
          }),
        ),
      };
    }
    if (st.isSymbolicLink()) {
      try {
        const target = await readlink(path, { encoding: 'buffer' });
        return { name, type: 'symlink', ...baseMeta(st), target };
      } catch (err) {
        return this.#unreadable(path, err);
      }
    }
    this.#d.warn({
      kind: 'skipped-special',
      path: text(path),
      message: 'is a socket, device or FIFO: skipped',
    });
    return undefined;
  }

  async #dir(
    path: Buffer,
    rel: string,
    parentTreeId: string | undefined,
    rootDev: bigint,
  ): Promise<{ readonly subtree: Promise<string> } | undefined> {
    let listing;
    try {
      listing = await this.#listings.take(path);
    } catch (err) {
      return this.#unreadable(path, err);
    }
    const { names } = listing;
    const { excludes } = this.#d;
    if (excludes.ifPresent.length > 0 && names.some((n) => excludes.ifPresent.includes(n.toString()))) {
      return undefined;
    }
    const parent = await this.#parentNodes(parentTreeId);
    const entries = [];
    for (const [i, name] of names.entries()) {
      const childPath = joinPath(path, name);
      const childRel = rel === '' ? text(name) : `${rel}/${text(name)}`;
      const st = this.#statResult(childPath, listing.stats[i]!);
      if (!st || excludes.excludes(childRel, st.isDirectory())) continue;
      entries.push({ name, childPath, childRel, st });
      // The walk goes into this folder soon: list it meanwhile.
      if (st.isDirectory() && !(this.#d.oneFileSystem && st.dev !== rootDev))
        this.#listings.prefetch(childPath);
    }
    const nodes: NodeOrPending[] = [];
    for (const { name, childPath, childRel, st } of entries) {
      const previous = parent.get(key(name));
      if (st.isFile()) {
        const same = this.#unchanged(name, st, previous);
        if (same) {
          nodes.push(same);
          continue;
        }
        // Files are read a few at a time; the folder's tree waits for them at its end.
        const release = await this.#fileSlots.acquire();
        const node = this.#file(childPath, name, st, previous).finally(release);
        nodes.push({ pending: quiet(node.then((n) => (n && 'pending' in n ? n.pending : n))) });
        continue;
      }
      const node = await this.#entry(childPath, name, childRel, st, previous, rootDev);
      if (node) nodes.push(node);
    }
    return { subtree: quiet(this.#storeTree(nodes)) };
  }

  async #file(
    path: Buffer,
    name: Buffer,
    st: BigIntStats,
    previous: TreeNode | undefined,
  ): Promise<NodeOrPending | undefined> {
    const c = this.#d.counters;
    const same = this.#unchanged(name, st, previous);
    if (same) return same;
    const meta = { name, type: 'file' as const, ...baseMeta(st), ...changeMeta(st), size: Number(st.size) };
    // A file seen before has mostly known chunks: naming them first saves compressing them again.
    const stored = await this.#storeContent(path, st, previous?.type !== 'file');
    if (!stored) return undefined;
    if (previous?.type === 'file') c.filesChanged++;
    else c.filesNew++;
    c.filesDone++;
    return {
      pending: Promise.all([stored.content, stored.sha256]).then(([content, sha256]) => ({
        ...meta,
        size: stored.size,
        sha256,
        content,
      })),
    };
  }

  /** The parent's node, brought up to date, for a file that has not changed since; else undefined. */
  #unchanged(name: Buffer, st: BigIntStats, previous: TreeNode | undefined): TreeNode | undefined {
    if (
      this.#d.force ||
      !looksUnchanged(st, previous) ||
      !previous.content!.every((id) => this.#d.writer.has(id))
    )
      return undefined;
    const c = this.#d.counters;
    const size = Number(st.size);
    c.filesUnmodified++;
    c.filesDone++;
    c.bytesDone += size;
    return {
      name,
      type: 'file',
      ...baseMeta(st),
      ...changeMeta(st),
      size,
      sha256: previous.sha256!,
      content: previous.content!,
    };
  }

  async #storeContent(
    path: Buffer,
    before: BigIntStats,
    likelyNew: boolean,
  ): Promise<{ sha256: Promise<string>; content: Promise<string[]>; size: number } | undefined> {
    const { gear, chunker, store, pool, signal, counters } = this.#d;
    let fd;
    try {
      fd = await openForReading(path);
    } catch (err) {
      return this.#unreadable(path, err);
    }
    const file = store.beginFile(likelyNew);
    let complete = false;
    const buffers = this.#buffers.pop() ?? new FileBuffers(READ_SIZE, chunker.maxSize);
    const ids: Promise<string>[] = [];
    let size = 0;
    // Each chunk goes to the store in a pooled buffer with room to be sealed where it lies.
    const alloc = (n: number): Uint8Array => new Uint8Array(pool.take(n + BOX_OVERHEAD), 0, n);
    try {
      const pieces = readPieces(fd, buffers.read, Number(before.size), signal);
      for await (const chunk of chunkStream(pieces, gear, chunker, {
        alloc,
        carry: buffers.carry,
      })) {
        size += chunk.length;
        counters.bytesRead += chunk.length;
        counters.bytesDone += chunk.length;
        ids.push((await store.submit(chunk, file, signal)).id);
      }
      const after = await statOpen(fd);
      if (after.mtimeNs !== before.mtimeNs || after.size !== before.size || BigInt(size) !== after.size) {
        this.#d.warn({
          kind: 'changed-during-read',
          path: text(path),
          message: 'changed while it was being read: the backed-up copy may mix old and new content',
        });
      }
      complete = true;
    } catch (err) {
      if (isFileSystemError(err)) return this.#unreadable(path, err);
      throw err;
    } finally {
      if (!complete) store.dropFile(file);
      this.#buffers.push(buffers);
      await closeFile(fd).catch(() => undefined);
    }
    // Not awaited here: the next file is read while the workers finish this one's chunks.
    return { sha256: quiet(store.fileSha256(file)), content: quiet(Promise.all(ids)), size };
  }

  async #storeTree(entries: readonly NodeOrPending[]): Promise<string> {
    const settled = await Promise.all(entries.map((e) => ('pending' in e ? e.pending : e)));
    const nodes = settled.filter((n): n is TreeNode => n !== undefined);
    const bytes = encodeTree({ nodes });
    const id = blobIdOf(this.#d.master, bytes);
    if (!this.#d.dryRun && !this.#d.writer.has(id)) {
      // Trees are small: sealing them inline costs little.
      await this.#d.writer.add(
        sealBlob(this.#d.master, 'tree', bytes, { compression: 'zstd', id }),
        this.#d.signal,
      );
    }
    return id;
  }

  /**
   * The parent snapshot's listing of a folder. Loading one also starts loading its subfolders' listings,
   * so the walk rarely waits for a read: an unchanged backup is mostly reading these.
   */
  #parentNodes(treeId: string | undefined): Promise<Map<string, TreeNode>> {
    if (!treeId || !this.#d.parentReader) return Promise.resolve(new Map());
    const cached = this.#parentTrees.get(treeId);
    if (cached) {
      this.#parentTrees.delete(treeId); // each folder is visited once; keep the cache small
      return cached;
    }
    return this.#loadParentTree(treeId);
  }

  async #loadParentTree(treeId: string): Promise<Map<string, TreeNode>> {
    const nodes = new Map<string, TreeNode>();
    try {
      const tree = decodeTree(
        await this.#d.parentReader!.readBlob('tree', treeId),
        `tree ${treeId.slice(0, 12)}`,
      );
      for (const n of tree.nodes) {
        nodes.set(key(n.name), n);
        if (
          n.type === 'dir' &&
          n.subtree &&
          !this.#parentTrees.has(n.subtree) &&
          this.#parentTrees.size < 256
        ) {
          this.#parentTrees.set(n.subtree, quiet(this.#loadParentTree(n.subtree)));
        }
      }
    } catch (err) {
      // A damaged parent only costs re-reading files; the new snapshot does not depend on it.
      if (!(err instanceof CofferError)) throw err;
    }
    return nodes;
  }

  async #lstat(path: Buffer): Promise<BigIntStats | undefined> {
    try {
      return await lstat(path, { bigint: true });
    } catch (err) {
      return this.#statResult(path, err as NodeJS.ErrnoException);
    }
  }

  /** An lstat result, or the warning for its error (vanished, unreadable) and undefined. */
  #statResult(path: Buffer, st: BigIntStats | NodeJS.ErrnoException): BigIntStats | undefined {
    if (!(st instanceof Error)) return st;
    if (st.code === 'ENOENT') {
      this.#d.warn({ kind: 'vanished', path: text(path), message: 'disappeared before it could be read' });
      return undefined;
    }
    return this.#unreadable(path, st);
  }

  #unreadable(path: Buffer, err: unknown): undefined {
    if (!isFileSystemError(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message;
    this.#d.warn({
      kind: 'unreadable',
      path: text(path),
      message: `could not be read (${why}): left out of this snapshot`,
    });
    return undefined;
  }
}

/**
 * Marks a promise that is awaited later (where a folder gathers its entries) as handled now, so that if the
 * backup stops first, its rejection is not reported as unhandled. Awaiting it still throws.
 */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

function key(name: Uint8Array): string {
  return Buffer.from(name).toString('latin1');
}

export function text(path: Uint8Array): string {
  return Buffer.from(path).toString('utf8');
}

function isFileSystemError(err: unknown): boolean {
  return (
    err instanceof Error &&
    !(err instanceof CofferError) &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    (err as NodeJS.ErrnoException).syscall !== undefined
  );
}
