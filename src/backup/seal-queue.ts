// Seals new chunks with bounded concurrency: compression runs on the thread pool while the main thread goes on
// chunking and hashing, and at most `limit` chunks wait in memory.

import type { BlobWriter, Compression } from '../repository/index.js';
import { type MasterKey, sealBlobAsync } from '../repository/index.js';

export class SealQueue {
  readonly #writer: BlobWriter;
  readonly #master: MasterKey;
  readonly #compression: Compression;
  readonly #limit: number;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #ids = new Set<string>();
  #failure: unknown;
  /** Bytes of chunk plaintext newly stored (after dedup, before compression). */
  bytesAdded = 0;

  constructor(writer: BlobWriter, master: MasterKey, compression: Compression, limit = 8) {
    this.#writer = writer;
    this.#master = master;
    this.#compression = compression;
    this.#limit = limit;
  }

  /** Whether the blob is stored, being stored, or queued. */
  known(id: string): boolean {
    return this.#ids.has(id) || this.#writer.has(id);
  }

  /** Queues a new data chunk; waits while the queue is full. */
  async submit(id: string, chunk: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (this.known(id)) return;
    this.#ids.add(id);
    this.bytesAdded += chunk.length;
    while (this.#inFlight.size >= this.#limit) await Promise.race(this.#inFlight);
    this.#throwIfFailed();
    const job = sealBlobAsync(this.#master, 'data', chunk, id, this.#compression)
      .then((blob) => this.#writer.add(blob, signal))
      .then(() => {
        this.#ids.delete(id);
      })
      .catch((err: unknown) => {
        this.#failure ??= err;
      })
      .finally(() => this.#inFlight.delete(job));
    this.#inFlight.add(job);
  }

  async drain(): Promise<void> {
    await Promise.all(this.#inFlight);
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
