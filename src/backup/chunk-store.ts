// Stores a file's chunks: workers name and compress them, the main thread seals new ones into packs.
// Bounded: at most `limit` chunks are anywhere between the chunker and the pack writer at once.

import type { BlobWriter } from '../repository/index.js';
import type { ChunkWorkers } from './chunk-workers.js';

export class ChunkStore {
  readonly #workers: ChunkWorkers;
  readonly #writer: BlobWriter;
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
    workers: ChunkWorkers,
    writer: BlobWriter,
    opts: { compress: boolean; dryRun: boolean; limit?: number },
  ) {
    this.#workers = workers;
    this.#writer = writer;
    this.#compress = opts.compress;
    this.#dryRun = opts.dryRun;
    this.#limit = opts.limit ?? 4;
  }

  /** Queues a chunk; resolves (once there is room) to a promise of its id. */
  async submit(chunk: Uint8Array, signal?: AbortSignal): Promise<{ readonly id: Promise<string> }> {
    while (this.#outstanding.size >= this.#limit) await Promise.race(this.#outstanding);
    this.#throwIfFailed();
    const { result } = await this.#workers.prepare(chunk, this.#compress && !this.#dryRun);
    const done = result.then(async ({ id, chunk: data, zstd }) => {
      if (this.#dryRun) {
        if (!this.#writer.has(id) && !this.#counted.has(id)) {
          this.#counted.add(id);
          this.bytesAdded += data.length;
        }
      } else if (!this.#writer.has(id)) {
        if (await this.#writer.addPrepared('data', id, data, zstd, signal)) this.bytesAdded += data.length;
      }
      return id;
    });
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

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
