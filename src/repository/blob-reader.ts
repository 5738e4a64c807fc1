// Reading blobs: look up the index, fetch the box with one ranged read, open it, check its id.

import { availableParallelism } from 'node:os';
import { CorruptObjectError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import { openBlob, openBlobAsync } from './blob.js';
import { BlobWorkers, transferable } from './blob-workers.js';
import { BufferPool } from './buffer-pool.js';
import { type BlobType, objectKey } from './format.js';
import type { BlobLocation, MasterIndex } from './master-index.js';
import type { MasterKey } from './master-key.js';

export interface BlobReader {
  readBlob(type: BlobType, id: string, opts?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /**
   * Hands back bytes a readBlob returned, once the caller is done with them, so their memory is reused.
   * Optional for readers and for callers: bytes not handed back are left to the garbage collector.
   */
  release?(bytes: Uint8Array): void;
  /**
   * A reader over the same blobs for reading many data blobs at once, opening them on worker threads;
   * close it when done. Optional: callers without it use this reader. Its blobs are authenticated
   * (AEAD, bound to their type and id) but their content ids are not recomputed: it is for callers that
   * check every byte they read against a SHA-256 of their own, as a restore checks each file against the
   * snapshot's. A blob whose content is not what its id says then fails that check, and the content id,
   * a second hash of every byte, would cost a fifth of a restore's CPU to say the same thing.
   */
  parallel?(): ParallelBlobReader;
}

export interface ParallelBlobReader {
  readonly reader: BlobReader;
  close(): Promise<void>;
}

/** The blob workers and buffers a reader may use to open data blobs off the main thread. */
interface BlobReaderWorkers {
  readonly workers: BlobWorkers;
  readonly pool: BufferPool;
  /** Whether content ids are recomputed (see BlobReader.parallel). */
  readonly checkIds: boolean;
}

export class BlobNotFoundError extends CorruptObjectError {
  override readonly code = 'COFFER_E_CORRUPT';
  readonly blobId: string;
  constructor(type: BlobType, id: string) {
    super(`${type} blob ${id.slice(0, 12)} is not in the index: the repository is missing data`);
    this.blobId = id;
  }
}

export class RepositoryBlobReader implements BlobReader {
  readonly #storage: Storage;
  readonly #master: MasterKey;
  readonly #index: MasterIndex;
  readonly #workers?: BlobReaderWorkers;

  /** With `workers`, data blobs are opened on them (for restores); trees always here. */
  constructor(storage: Storage, master: MasterKey, index: MasterIndex, workers?: BlobReaderWorkers) {
    this.#storage = storage;
    this.#master = master;
    this.#index = index;
    if (workers) this.#workers = workers;
  }

  parallel(): ParallelBlobReader {
    // One worker per core beside this thread's, which reads, hashes and writes (on 2 cores a second
    // worker only competed with it: a full restore measured no faster, with 20 MiB more memory).
    const workers = new BlobWorkers(this.#master, {
      threads: Math.max(1, Math.min(4, availableParallelism() - 1)),
    });
    const reader = new RepositoryBlobReader(this.#storage, this.#master, this.#index, {
      workers,
      pool: new BufferPool(),
      checkIds: false,
    });
    return { reader, close: () => workers.close() };
  }

  async readBlob(type: BlobType, id: string, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const at = this.#index.lookup(id);
    if (!at || at.type !== type) throw new BlobNotFoundError(type, id);
    const box = await this.#storage.get(objectKey('pack', at.packId), {
      range: { offset: at.offset, length: at.length },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (box.length !== at.length) {
      throw new CorruptObjectError(
        `pack ${at.packId.slice(0, 12)} is damaged: it is shorter than its index says`,
      );
    }
    // Trees are small: decompressing them here beats a round trip to the thread pool or a worker.
    if (type === 'tree') return openBlob(this.#master, type, id, box);
    if (this.#workers) return this.#openOnWorker(this.#workers, at, id, box);
    return openBlobAsync(this.#master, type, id, box, at.rawLength);
  }

  release(bytes: Uint8Array): void {
    this.#workers?.pool.give(bytes.buffer as ArrayBuffer);
  }

  async #openOnWorker(
    { workers, pool, checkIds }: BlobReaderWorkers,
    at: BlobLocation,
    id: string,
    box: Uint8Array,
  ): Promise<Uint8Array> {
    const input = transferable(box);
    // A byte to spare: the worker takes a buffer it fills exactly as one too small (see ZSTD_SOURCE).
    const out = pool.take(at.rawLength + 1);
    const { plaintext } = await workers.open(
      input.buffer,
      input.offset,
      input.length,
      out,
      'data',
      id,
      at.rawLength,
      checkIds,
    );
    return plaintext;
  }
}
