// Worker threads that name and compress chunks (HMAC-SHA-256 content id, zstd), so a backup uses every
// core: the main thread reads, chunks, hashes files and packs; the workers do the per-chunk heavy work.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface PreparedChunk {
  /** Content id (docs/format.md 3.5), hex. */
  readonly id: string;
  /** The chunk itself, handed back. */
  readonly chunk: Uint8Array;
  /** Its zstd frame, when compression was asked for and made it smaller. */
  readonly zstd?: Uint8Array;
}

// The worker is plain CommonJS using node built-ins only, so it runs the same from the TypeScript sources
// under test and from dist/. It must compute exactly what src/crypto/content-id.ts and
// src/repository/compression.ts define: HMAC-SHA-256 under the content-id key; zstd kept only if smaller.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac, createSecretKey } = require('node:crypto');
const zlib = require('node:zlib');
const key = createSecretKey(Buffer.from(workerData.key));
const params = { [zlib.constants.ZSTD_c_compressionLevel]: workerData.level };
parentPort.on('message', ({ seq, chunk, compress }) => {
  const data = new Uint8Array(chunk);
  const id = createHmac('sha256', key).update(data).digest('hex');
  let zstd;
  if (compress && data.length >= workerData.minSize) {
    const out = zlib.zstdCompressSync(data, { params });
    if (out.length < data.length) zstd = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out.buffer : out.buffer.slice(out.byteOffset, out.byteOffset + out.length);
  }
  parentPort.postMessage({ seq, id, chunk, zstd }, zstd ? [chunk, zstd] : [chunk]);
});
`;

interface Pending {
  resolve: (r: PreparedChunk) => void;
  reject: (err: unknown) => void;
}

export class ChunkWorkers {
  readonly #workers: { worker: Worker; busy: number }[];
  readonly #pending = new Map<number, Pending>();
  readonly #limit: number;
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  #seq = 0;
  #failure: unknown;

  constructor(
    contentIdKey: Uint8Array,
    opts: { level: number; minSize: number; threads?: number; maxInFlight?: number },
  ) {
    // One core stays with the main thread (reading, chunking, hashing, sealing): on our 2-core machines a
    // second worker measured no faster and cost ~100 MiB more peak memory.
    const threads = opts.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    this.#limit = opts.maxInFlight ?? threads * 3;
    this.#workers = Array.from({ length: threads }, () => {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { key: contentIdKey, level: opts.level, minSize: opts.minSize },
      });
      const entry = { worker, busy: 0 };
      worker.on('message', (m: { seq: number; id: string; chunk: ArrayBuffer; zstd?: ArrayBuffer }) => {
        entry.busy--;
        this.#settle(m.seq, (p) =>
          p.resolve({
            id: m.id,
            chunk: new Uint8Array(m.chunk),
            ...(m.zstd ? { zstd: new Uint8Array(m.zstd) } : {}),
          }),
        );
      });
      worker.on('error', (err) => this.#fail(err));
      return entry;
    });
  }

  /**
   * Names (and optionally compresses) a chunk. Waits first while too many chunks are in flight, which
   * bounds memory. The chunk's memory moves to the worker and comes back in the result.
   */
  async prepare(chunk: Uint8Array, compress: boolean): Promise<{ readonly result: Promise<PreparedChunk> }> {
    while (this.#inFlight >= this.#limit) await new Promise<void>((r) => this.#waiters.push(r));
    if (this.#failure !== undefined) throw this.#failure;
    this.#inFlight++;
    const seq = this.#seq++;
    // Transfer needs a buffer of its own; the chunker hands out exactly such chunks, copy otherwise.
    const own =
      chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
    const target = this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    target.busy++;
    const result = new Promise<PreparedChunk>((resolve, reject) =>
      this.#pending.set(seq, { resolve, reject }),
    );
    target.worker.postMessage({ seq, chunk: own.buffer, compress }, [own.buffer as ArrayBuffer]);
    // Wrapped, because an async function would flatten a returned promise and wait for the worker.
    return { result };
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }

  #settle(seq: number, fn: (p: Pending) => void): void {
    const p = this.#pending.get(seq);
    if (!p) return;
    this.#pending.delete(seq);
    this.#inFlight--;
    this.#waiters.shift()?.();
    fn(p);
  }

  #fail(err: unknown): void {
    this.#failure ??= err;
    for (const seq of [...this.#pending.keys()]) this.#settle(seq, (p) => p.reject(err));
    for (const w of this.#waiters.splice(0)) w();
  }
}
