// Reading blobs: look up the index, fetch the box with one ranged read, open it, check its id.

import { availableParallelism } from 'node:os';
import { CofferError, CorruptObjectError } from '../errors.js';
import { type Storage, StorageError } from '../storage/storage.js';
import { openBlob, openBlobAsync } from './blob.js';
import {
  type BlobWriteCost,
  BlobWorkers,
  BoxUnreadError,
  transferable,
  type WorkerFileHash,
} from './blob-workers.js';
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
  /**
   * Writes the data blobs `ids`, in order, at the position of the open descriptor `fd`, opening each on a
   * worker thread that also hashes and writes it; resolves with the SHA-256 of what was written and its
   * length. Every write has finished when it settles, so the caller may close `fd` then (not before).
   * Optional: without it, the caller reads with `reader` and writes itself.
   */
  writeBlobs?(ids: readonly string[], fd: number, opts?: WriteBlobsOptions): Promise<WrittenBlobs>;
  close(): Promise<void>;
}

export interface WriteBlobsOptions {
  readonly signal?: AbortSignal;
  /** After each blob written, its plaintext length and what it cost the worker. */
  readonly onBlob?: (cost: BlobWriteCost) => void;
  /** A blob that could not be read or opened, before the error is thrown. */
  readonly onBlobError?: (type: BlobType, id: string, err: Error) => void;
}

export interface WrittenBlobs {
  readonly sha256: string;
  /** Bytes the kernel took. */
  readonly written: number;
}

/** Blobs a file has on their way (read from storage or being opened and written) while earlier ones are written. */
const WRITE_AHEAD = 4;

/** The blob workers and buffers a reader may use to open data blobs off the main thread. */
interface BlobReaderWorkers {
  readonly workers: BlobWorkers;
  readonly pool: BufferPool;
  /** Whether content ids are recomputed (see BlobReader.parallel). */
  readonly checkIds: boolean;
}

/** Waits for the oldest write (not inside `onBlob?.()`, whose argument is skipped when there is no onBlob). */
async function settleFirst(writes: Promise<BlobWriteCost>[], opts: WriteBlobsOptions): Promise<void> {
  const cost = await writes.shift()!;
  opts.onBlob?.(cost);
}

/** A blob sent to a worker: wrapped, since a promise that resolved to the write would wait for it. */
interface PostedWrite {
  readonly write: Promise<BlobWriteCost>;
}

/** A blob's box as read for writing: `pooled` when it lies at the start of a BufferPool buffer. */
interface PooledBox {
  readonly at: BlobLocation;
  readonly box: Uint8Array;
  readonly pooled: boolean;
}

/** The SHA-256 of no bytes: an empty file's. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

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
    // One worker per core: the workers open, hash and write the blobs (reading them too from a local
    // repository), and this thread creates the files and reads the blobs of any other storage.
    const workers = new BlobWorkers(this.#master, {
      threads: Math.max(1, Math.min(4, availableParallelism())),
    });
    workers.start(); // a caller asks for a parallel reader when it has much to read
    const parts = { workers, pool: new BufferPool(), checkIds: false };
    const reader = new RepositoryBlobReader(this.#storage, this.#master, this.#index, parts);
    return {
      reader,
      writeBlobs: (ids, fd, opts) => reader.#writeBlobs(parts, ids, fd, opts),
      close: () => workers.close(),
    };
  }

  async readBlob(type: BlobType, id: string, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const { at, box } = await this.#fetchBox(type, id, opts.signal);
    // Trees are small: decompressing them here beats a round trip to the thread pool or a worker.
    if (type === 'tree') return openBlob(this.#master, type, id, box);
    if (this.#workers) return this.#openOnWorker(this.#workers, at, id, box);
    return openBlobAsync(this.#master, type, id, box, at.rawLength);
  }

  /** The blob's location and its box, read with one ranged read (into `into` where the storage can). */
  async #fetchBox(
    type: BlobType,
    id: string,
    signal: AbortSignal | undefined,
    into?: (length: number) => Uint8Array,
  ): Promise<{ at: BlobLocation; box: Uint8Array }> {
    const at = this.#index.lookup(id);
    if (!at || at.type !== type) throw new BlobNotFoundError(type, id);
    const box = await this.#storage.get(objectKey('pack', at.packId), {
      range: { offset: at.offset, length: at.length },
      ...(signal ? { signal } : {}),
      ...(into ? { into: into(at.length) } : {}),
    });
    if (box.length !== at.length) {
      throw new CorruptObjectError(
        `pack ${at.packId.slice(0, 12)} is damaged: it is shorter than its index says`,
      );
    }
    return { at, box };
  }

  /** See ParallelBlobReader.writeBlobs. */
  async #writeBlobs(
    { workers, pool }: BlobReaderWorkers,
    ids: readonly string[],
    fd: number,
    opts: WriteBlobsOptions = {},
  ): Promise<WrittenBlobs> {
    if (ids.length === 0) return { sha256: EMPTY_SHA256, written: 0 };
    const file = workers.beginFile();
    const writes: Promise<BlobWriteCost>[] = [];
    // Packs that are local files are read by the workers themselves; others are read here, ahead.
    const post = this.#storage.localFile
      ? this.#postReads(workers, file, ids, fd, opts)
      : this.#postBoxes(workers, pool, file, ids, fd, opts);
    try {
      for (let i = 0; i < ids.length; i++) {
        writes.push((await post(i)).write);
        if (writes.length >= WRITE_AHEAD) await settleFirst(writes, opts);
      }
      while (writes.length > 0) await settleFirst(writes, opts);
      return await workers.writeDone(file);
    } catch (err) {
      // The descriptor is the caller's to close once this settles: no write of this file may be left.
      await Promise.allSettled(writes);
      workers.writeDone(file, true).catch(() => undefined);
      throw err;
    }
  }

  /** Blob i of a file whose packs a worker reads itself (in order: a file's blobs go out as listed). */
  #postReads(
    workers: BlobWorkers,
    file: WorkerFileHash,
    ids: readonly string[],
    fd: number,
    opts: WriteBlobsOptions,
  ): (i: number) => Promise<PostedWrite> {
    const localFile = this.#storage.localFile!.bind(this.#storage);
    return async (i) => {
      opts.signal?.throwIfAborted();
      const id = ids[i]!;
      const at = this.#index.lookup(id);
      if (!at || at.type !== 'data') {
        const err = new BlobNotFoundError('data', id);
        opts.onBlobError?.('data', id, err);
        throw err;
      }
      const key = objectKey('pack', at.packId);
      const write = workers
        .readWriteBlob(localFile(key), at.offset, at.length, id, at.rawLength, fd, file)
        .catch(async (err: Error) => {
          if (err instanceof BoxUnreadError) {
            // The storage's own read says why (a missing or short pack) in the words every reader uses.
            await this.#fetchBox('data', id, opts.signal).catch((why: Error) => {
              opts.onBlobError?.('data', id, why);
              throw why;
            });
            err = new StorageError('get', key, `could not read ${key}: ${err.message}`);
          }
          if (err instanceof CofferError) opts.onBlobError?.('data', id, err);
          throw err;
        });
      write.catch(() => undefined); // awaited in turn (or settled after an earlier failure)
      return { write };
    };
  }

  /** Blob i of a file whose boxes are read here (WRITE_AHEAD ahead) and sent to the worker. */
  #postBoxes(
    workers: BlobWorkers,
    pool: BufferPool,
    file: WorkerFileHash,
    ids: readonly string[],
    fd: number,
    opts: WriteBlobsOptions,
  ): (i: number) => Promise<PostedWrite> {
    const reads: Promise<PooledBox>[] = [];
    let nextRead = 0;
    const readNext = (): void => {
      const id = ids[nextRead++]!;
      // Boxes are read into the pool's buffers, which the worker hands back once the blob is written.
      let taken: ArrayBuffer | undefined;
      const into = (length: number): Uint8Array => new Uint8Array((taken = pool.take(length)));
      const read = this.#fetchBox('data', id, opts.signal, into).then(
        ({ at, box }) => {
          const pooled = taken !== undefined && box.buffer === taken && box.byteOffset === 0;
          if (!pooled && taken) pool.give(taken); // the storage read into memory of its own
          return { at, box, pooled };
        },
        (err: Error) => {
          opts.onBlobError?.('data', id, err);
          throw err;
        },
      );
      read.catch(() => undefined); // awaited in turn; a failure after an earlier one is not unhandled
      reads.push(read);
    };
    return async (i) => {
      while (nextRead < Math.min(i + WRITE_AHEAD, ids.length)) readNext();
      const box = await reads.shift()!;
      opts.signal?.throwIfAborted();
      return { write: this.#writeOnWorker(workers, pool, file, ids[i]!, box, fd, opts) };
    };
  }

  #writeOnWorker(
    workers: BlobWorkers,
    pool: BufferPool,
    file: WorkerFileHash,
    id: string,
    { at, box, pooled }: PooledBox,
    fd: number,
    opts: WriteBlobsOptions,
  ): Promise<BlobWriteCost> {
    // A box read into a pool buffer travels in it and comes back; bytes the storage made itself are given away.
    const input = pooled
      ? { buffer: box.buffer as ArrayBuffer, offset: 0, length: box.length }
      : transferable(box);
    const write = workers
      .writeBlob(input.buffer, input.offset, input.length, id, at.rawLength, fd, file, pooled)
      .then(({ buffer, ...cost }) => {
        if (buffer) pool.give(buffer);
        return cost;
      })
      .catch((err: Error) => {
        if (err instanceof CofferError) opts.onBlobError?.('data', id, err); // not a write's fs error
        throw err;
      });
    write.catch(() => undefined); // awaited in turn (or settled after an earlier failure)
    return write;
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
