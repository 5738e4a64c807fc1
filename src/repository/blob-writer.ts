// Writing blobs: collect sealed blobs into packs (data and trees apart), upload them with bounded
// concurrency, and record them in index files often enough that an interrupted backup's packs are reused.

import type { Storage } from '../storage/storage.js';
import type { SealedBlob } from './blob.js';
import { type BlobType, objectKey } from './format.js';
import { encodeIndex, type IndexedPack } from './index-file.js';
import type { MasterIndex } from './master-index.js';
import type { MasterKey } from './master-key.js';
import { saveObject } from './objects.js';
import { PackBuilder } from './pack.js';

export interface BlobWriterOptions {
  /** Target pack size in bytes (the repository config's packSize). */
  readonly packSize: number;
  /** Pack uploads in flight at once; each holds one pack in memory. */
  readonly maxUploads?: number;
  /** Write an index file once this many uploaded packs are not yet indexed. */
  readonly indexEvery?: number;
}

export interface BlobWriterStats {
  packs: number;
  blobs: number;
  /** Bytes of packs written (what the storage now holds more). */
  bytesStored: number;
  indexFiles: string[];
}

export class BlobWriter {
  readonly #storage: Storage;
  readonly #master: MasterKey;
  readonly #index: MasterIndex;
  readonly #opts: Required<BlobWriterOptions>;
  readonly #builders: Record<BlobType, PackBuilder>;
  /** Blob ids added in this session (building, uploading or uploaded), so a blob is stored once. */
  readonly #pending = new Set<string>();
  readonly #uploads = new Set<Promise<void>>();
  #unindexed: IndexedPack[] = [];
  #failure: unknown;
  readonly stats: BlobWriterStats = { packs: 0, blobs: 0, bytesStored: 0, indexFiles: [] };

  constructor(ctx: { storage: Storage; master: MasterKey }, index: MasterIndex, opts: BlobWriterOptions) {
    this.#storage = ctx.storage;
    this.#master = ctx.master;
    this.#index = index;
    this.#opts = { maxUploads: 2, indexEvery: 8, ...opts };
    this.#builders = { data: new PackBuilder(this.#master), tree: new PackBuilder(this.#master) };
  }

  /** Whether the repository already has this blob, or this session has taken it. */
  has(id: string): boolean {
    return this.#pending.has(id) || this.#index.has(id);
  }

  /**
   * Adds a sealed blob unless known; returns whether it was added. Waits when too many uploads are in
   * flight, which is the back-pressure that bounds memory.
   */
  async add(blob: SealedBlob, signal?: AbortSignal): Promise<boolean> {
    this.#throwIfFailed();
    if (this.has(blob.id)) return false;
    this.#pending.add(blob.id);
    const builder = this.#builders[blob.type];
    builder.add(blob);
    this.stats.blobs++;
    if (builder.size >= this.#opts.packSize) await this.#seal(blob.type, signal);
    return true;
  }

  /** Uploads what is buffered and writes the index for every pack uploaded; returns the new index ids. */
  async flush(signal?: AbortSignal): Promise<string[]> {
    for (const type of ['data', 'tree'] as const) {
      if (this.#builders[type].count > 0) await this.#seal(type, signal);
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

  async #seal(type: BlobType, signal?: AbortSignal): Promise<void> {
    const builder = this.#builders[type];
    this.#builders[type] = new PackBuilder(this.#master);
    while (this.#uploads.size >= this.#opts.maxUploads) await Promise.race(this.#uploads);
    this.#throwIfFailed();
    const pack = builder.finish();
    const upload = this.#storage
      .put(objectKey('pack', pack.id), pack.bytes, signal ? { signal } : {})
      .then(async () => {
        this.stats.packs++;
        this.stats.bytesStored += pack.bytes.length;
        this.#unindexed.push({ id: pack.id, blobs: pack.entries });
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
