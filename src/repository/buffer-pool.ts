// Reusable ArrayBuffers for blobs on their way to and from the blob workers. A fresh megabyte per blob is
// garbage that V8 collects only after ~64 MiB of it has piled up: with a pool, a backup or restore keeps
// the same few buffers, and its memory stays at what is actually in flight.

const MIN_CLASS = 64 * 1024;

export class BufferPool {
  readonly #free = new Map<number, ArrayBuffer[]>();
  readonly #keepPerClass: number;

  /** `keepPerClass`: free buffers kept per size class; more are left to the garbage collector. */
  constructor(keepPerClass = 8) {
    this.#keepPerClass = keepPerClass;
  }

  /**
   * A buffer of at least `size` bytes, from a free one of its size class when there is one. Classes are
   * powers of two and the sizes halfway between, so a buffer serves a range of sizes and is at most half
   * as big again as asked.
   */
  take(size: number): ArrayBuffer {
    const capacity = sizeClass(size);
    return this.#free.get(capacity)?.pop() ?? new ArrayBuffer(capacity);
  }

  /** Returns a buffer (from take, or handed back by a worker) for reuse. */
  give(buffer: ArrayBuffer): void {
    // A transferred-away buffer has length 0, which is no class.
    if (buffer.byteLength !== sizeClass(buffer.byteLength)) return;
    let list = this.#free.get(buffer.byteLength);
    if (!list) this.#free.set(buffer.byteLength, (list = []));
    if (list.length < this.#keepPerClass) list.push(buffer);
  }
}

/** Powers of two and halfway between (64 KiB, 96 KiB, 128 KiB, 192 KiB...): a buffer is at most 1.5x its use. */
function sizeClass(size: number): number {
  let c = MIN_CLASS;
  while (c < size) {
    if (c + c / 2 >= size) return c + c / 2;
    c *= 2;
  }
  return c;
}
