// Writing blobs: seal them into packs (data and trees apart), upload packs with bounded concurrency, and
// record them in index files often enough that an interrupted backup's packs are reused.

import type { Storage } from '../storage/storage.js';
import type { SealedBlob } from './blob.js';
import { type BlobType, objectKey } from './format.js';
import { encodeIndex, type IndexedPack } from './index-file.js';
import type { MasterIndex } from './master-index.js';
import type { MasterKey } from './master-key.js';
import { saveObject } from './objects.js';
import { BOX_OVERHEAD, PackBuffer, packBufferCapacity } from './pack-buffer.js';
import { hashHere, type PackHasher } from './pack-hasher.js';

export interface BlobWriterOptions {
  /** Target pack size in bytes (the repository config's packSize). */
  readonly packSize: number;
  /** The largest blob expected (the chunker's maxSize), so a pack buffer always has room for one. */
  readonly maxBlobSize?: number;
  /** Pack uploads in flight at once; each holds one pack buffer. */
  readonly maxUploads?: number;
  /** Write an index file once this many uploaded packs are not yet indexed. */
  readonly indexEvery?: number;
  /** Names finished packs; by default on this thread. */
  readonly hasher?: PackHasher;
}

export interface BlobWriterStats {
  packs: number;
  blobs: number;
  /** Bytes of packs written (what the storage now holds more). */
  bytesStored: number;
  indexFiles: string[];
}

const TREE_BUFFER = 1024 * 1024;

export class BlobWriter {
  readonly #storage: Storage;
  readonly #master: MasterKey;
  readonly #index: MasterIndex;
  readonly #opts: Required<BlobWriterOptions>;
  readonly #capacity: number;
  readonly #current: Partial<Record<BlobType, PackBuffer>> = {};
  /** Data pack buffers whose packs are stored, ready to be filled again. */
  readonly #free: Uint8Array[] = [];
  /** Blob ids taken in this session (in a pack being filled, uploading or uploaded), so a blob is stored once. */
  readonly #pending = new Set<string>();
  readonly #uploads = new Set<Promise<void>>();
  #unindexed: IndexedPack[] = [];
  /** The last addClaimed call, which the next one waits for. */
  #adding: Promise<void> = Promise.resolve();
  #failure: unknown;
  readonly stats: BlobWriterStats = { packs: 0, blobs: 0, bytesStored: 0, indexFiles: [] };

  constructor(ctx: { storage: Storage; master: MasterKey }, index: MasterIndex, opts: BlobWriterOptions) {
    this.#storage = ctx.storage;
    this.#master = ctx.master;
    this.#index = index;
    // One pack stored while the next fills: two 16 MiB buffers. A second upload in flight measured no
    // faster on a local disk, and a third buffer is 16 MiB more.
    this.#opts = { maxUploads: 1, indexEvery: 8, maxBlobSize: 4 * 1024 * 1024, hasher: hashHere, ...opts };
    this.#capacity = packBufferCapacity(Math.max(this.#opts.packSize, this.#opts.maxBlobSize + BOX_OVERHEAD));
  }

  /** Whether the repository already has this blob, or this session has taken it. */
  has(id: string): boolean {
    return this.#pending.has(id) || this.#index.has(id);
  }

  /** Adds a sealed blob (trees, small things) unless known; returns whether it was added. */
  async add(blob: SealedBlob, signal?: AbortSignal): Promise<boolean> {
    if (!this.claim(blob.id)) return false;
    await this.addClaimed(blob.type, blob.id, blob.box, blob.rawLength, signal);
    return true;
  }

  /**
   * Takes a blob id for this session unless the repository or the session has it already; returns whether
   * it was taken. The caller then seals the blob and adds it with {@link addClaimed}, so a blob another
   * caller is still sealing is not sealed twice.
   */
  claim(id: string): boolean {
    this.#throwIfFailed();
    if (this.has(id)) return false;
    this.#pending.add(id);
    return true;
  }

  /**
   * Copies the box of a claimed blob into the current pack of its type. Waits while the pack before it
   * is still being stored: the back-pressure that bounds memory. Calls run one at a time, so a backup
   * holds at most `maxUploads + 1` data pack buffers.
   */
  addClaimed(
    type: BlobType,
    id: string,
    box: Uint8Array,
    rawLength: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const run = this.#adding.then(() => this.#addClaimed(type, id, box, rawLength, signal));
    this.#adding = run.catch(() => undefined);
    return run;
  }

  async #addClaimed(
    type: BlobType,
    id: string,
    box: Uint8Array,
    rawLength: number,
    signal?: AbortSignal,
  ): Promise<void> {
    this.#throwIfFailed();
    const current = this.#current[type];
    // A pack ends before a blob that would overflow it, so its buffer never grows (a lone blob bigger
    // than any buffer still gets a pack of its own: PackBuffer grows for it).
    if (current && current.count > 0 && !current.fits(box.length)) await this.#seal(type, signal);
    const pack = (this.#current[type] ??= new PackBuffer(this.#master, this.#takeBuffer(type)));
    pack.addBox({ type, id, box, rawLength });
    this.stats.blobs++;
    if (pack.size >= this.#opts.packSize) await this.#seal(type, signal);
  }

  /** Uploads what is buffered and writes the index for every pack uploaded; returns the new index ids. */
  async flush(signal?: AbortSignal): Promise<string[]> {
    await this.#adding;
    for (const type of ['data', 'tree'] as const) {
      if ((this.#current[type]?.count ?? 0) > 0) await this.#seal(type, signal);
    }
    await Promise.all(this.#uploads);
    this.#throwIfFailed();
    await this.#writeIndex(signal);
    return this.stats.indexFiles;
  }

  /**
   * After an interruption: waits for uploads already under way and indexes the packs that made it, so
   * the next backup reuses them. Buffered blobs that were never uploaded are dropped.
   */
  async salvage(): Promise<void> {
    await Promise.allSettled(this.#uploads);
    await this.#writeIndex().catch(() => undefined);
  }

  #takeBuffer(type: BlobType): Uint8Array {
    if (type === 'tree') return new Uint8Array(TREE_BUFFER); // grows if a backup has many folders
    return this.#free.pop() ?? new Uint8Array(this.#capacity);
  }

  async #seal(type: BlobType, signal?: AbortSignal): Promise<void> {
    const packBuffer = this.#current[type];
    if (!packBuffer) return;
    delete this.#current[type];
    while (this.#uploads.size >= this.#opts.maxUploads) await Promise.race(this.#uploads);
    this.#throwIfFailed();
    const entries = packBuffer.entries;
    const upload = this.#opts.hasher
      .name(packBuffer.close())
      .then(async ({ id, bytes }) => {
        await this.#storage.put(objectKey('pack', id), bytes, signal ? { signal } : {});
        this.stats.packs++;
        this.stats.bytesStored += bytes.length;
        this.#unindexed.push({ id, blobs: entries });
        if (type === 'data' && bytes.buffer.byteLength === this.#capacity)
          this.#free.push(new Uint8Array(bytes.buffer));
        if (this.#unindexed.length >= this.#opts.indexEvery) await this.#writeIndex(signal);
      })
      .catch((err: unknown) => {
        this.#failure ??= err;
      })
      .finally(() => this.#uploads.delete(upload));
    this.#uploads.add(upload);
  }

  async #writeIndex(signal?: AbortSignal): Promise<void> {
    if (this.#unindexed.length === 0) return;
    const packs = this.#unindexed;
    this.#unindexed = [];
    const file = { supersedes: [], packs };
    const id = await saveObject(
      { storage: this.#storage, master: this.#master },
      'index',
      encodeIndex(file),
      signal ? { signal } : {},
    );
    this.#index.add(file, id);
    this.stats.indexFiles.push(id);
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
