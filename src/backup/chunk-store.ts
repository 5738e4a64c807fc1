// Stores a file's chunks: a worker names each one, the main thread decides whether the repository needs it,
// a worker compresses and seals the new ones in place, and the writer copies the boxes into packs.
// Bounded: at most `limit` chunks are anywhere between the chunker and the pack writer at once.

import type { BlobWorkers, BlobWriter, BufferPool, WorkerFileHash } from '../repository/index.js';

/** A file whose chunks are being stored. */
export interface StoredFile {
  readonly hash: WorkerFileHash;
  /** Whether its chunks are expected to be new, so sealing them at once pays (see #storeNew). */
  likelyNew: boolean;
}

export class ChunkStore {
  readonly #workers: BlobWorkers;
  readonly #writer: BlobWriter;
  readonly #pool: BufferPool;
  readonly #compress: boolean;
  readonly #dryRun: boolean;
  readonly #limit: number;
  readonly #outstanding = new Set<Promise<unknown>>();
  /** Ids a dry run has counted, since it adds nothing to the writer. */
  readonly #counted = new Set<string>();
  #failure: unknown;
  /** Bytes of chunk data newly stored (after dedup, before compression). */
  bytesAdded = 0;

  constructor(
    workers: BlobWorkers,
    writer: BlobWriter,
    pool: BufferPool,
    opts: { compress: boolean; dryRun: boolean; limit?: number },
  ) {
    this.#workers = workers;
    this.#writer = writer;
    this.#pool = pool;
    this.#compress = opts.compress;
    this.#dryRun = opts.dryRun;
    // Enough to keep the workers busy while this thread reads and chunks; each is a chunk in memory.
    this.#limit = opts.limit ?? 3 + 3 * workers.threads;
  }

  /**
   * Queues a chunk, which must be the start of a buffer from the pool with room to seal it in place (see
   * BOX_OVERHEAD); the store owns the buffer from now on. Resolves, once there is room, to a promise of
   * the chunk's id.
   */
  async submit(
    chunk: Uint8Array,
    file: StoredFile,
    signal?: AbortSignal,
  ): Promise<{ readonly id: Promise<string> }> {
    while (this.#outstanding.size >= this.#limit) await Promise.race(this.#outstanding);
    this.#throwIfFailed();
    const done =
      file.likelyNew && !this.#dryRun
        ? this.#storeNew(chunk.buffer as ArrayBuffer, chunk.length, file, signal)
        : this.#store(chunk.buffer as ArrayBuffer, chunk.length, file.hash, signal);
    const tracked = done.then(
      () => undefined,
      (err: unknown) => {
        this.#failure ??= err;
      },
    );
    this.#outstanding.add(tracked);
    void tracked.finally(() => this.#outstanding.delete(tracked));
    done.catch(() => undefined); // failures surface through the caller's await, or drain()
    return { id: done };
  }

  /** Waits for every queued chunk to be stored. */
  async drain(): Promise<void> {
    await Promise.all(this.#outstanding);
    this.#throwIfFailed();
  }

  /**
   * A file whose chunks are about to be submitted: the worker that names them also hashes the file with
   * them, so the thread that reads and chunks does not make a second pass over every byte.
   */
  beginFile(likelyNew: boolean): StoredFile {
    return { hash: this.#workers.beginFile(), likelyNew };
  }

  /** The SHA-256 of every chunk submitted for the file, in order. */
  fileSha256(file: StoredFile): Promise<string> {
    return this.#workers.fileSha256(file.hash);
  }

  /** Forgets a file that could not be read to its end. */
  dropFile(file: StoredFile): void {
    this.#workers.dropFile(file.hash);
  }

  /**
   * A chunk of a file the repository most likely lacks (a new file): named and sealed in one trip to the
   * worker. Should it be known after all (a copy of another file), its box is dropped and the rest of the
   * file goes the careful way, naming before sealing.
   */
  async #storeNew(
    buf: ArrayBuffer,
    length: number,
    file: StoredFile,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const box = await this.#workers.nameAndSeal(buf, length, file.hash, this.#compress);
    if (!this.#writer.claim(box.id)) {
      file.likelyNew = false;
      this.#pool.give(box.buffer);
      return box.id;
    }
    await this.#addSealed(box.id, box, length, signal);
    return box.id;
  }

  async #store(
    buf: ArrayBuffer,
    length: number,
    file: WorkerFileHash,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    // Called in the order chunks are submitted, and this call posts the naming at once: a file's chunks
    // reach its worker in order.
    const named = await this.#workers.name(buf, length, file);
    const id = named.id;
    if (this.#dryRun) {
      if (!this.#writer.has(id) && !this.#counted.has(id)) {
        this.#counted.add(id);
        this.bytesAdded += length;
      }
      this.#pool.give(named.buffer);
      return id;
    }
    // Known chunks (an unchanged part of a changed file, a copy of another file) are never compressed.
    if (!this.#writer.claim(id)) {
      this.#pool.give(named.buffer);
      return id;
    }
    const box = await this.#workers.seal(named.buffer, length, 'data', id, this.#compress);
    await this.#addSealed(id, box, length, signal);
    return id;
  }

  /** Adds a claimed chunk's box to a pack and gives its buffer back to the pool. */
  async #addSealed(
    id: string,
    box: { buffer: ArrayBuffer; length: number },
    length: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await this.#writer.addClaimed('data', id, new Uint8Array(box.buffer, 0, box.length), length, signal);
    this.#pool.give(box.buffer);
    this.bytesAdded += length;
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
