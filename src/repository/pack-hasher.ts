// Naming finished packs: a pack's id is the SHA-256 of its bytes (docs/format.md 2), a pass over every byte a
// backup stores. On the thread that fills the packs it was a sixth of a first backup's time there, so a
// backup hands each finished pack to a thread of its own to hash, while it fills the next.

import type { BlobWorkers } from './blob-workers.js';
import { objectIdOf } from './object-id.js';

export interface PackHasher {
  /**
   * The pack's id, and its bytes: the same memory, though a hasher on another thread hands it back as a
   * new view (the one given must not be used again).
   */
  name(bytes: Uint8Array): Promise<{ readonly id: string; readonly bytes: Uint8Array }>;
}

/** Hashes on the calling thread. */
export const hashHere: PackHasher = {
  name: (bytes) => Promise.resolve({ id: objectIdOf(bytes), bytes }),
};

/**
 * Hashes on a blob worker, from the `from`-th pack on (counting from 0): a small backup is over before a
 * thread of its own would have paid for starting (the workers start on their first call). Bytes that
 * cannot be moved there (a view into shared memory) are hashed here.
 */
export function hashOnWorker(workers: BlobWorkers, opts: { from?: number } = {}): PackHasher {
  let packs = 0;
  return {
    async name(bytes) {
      const buffer = bytes.buffer;
      if (
        packs++ < (opts.from ?? 0) ||
        !(buffer instanceof ArrayBuffer) ||
        bytes.byteOffset !== 0 ||
        bytes.length < 64 * 1024
      )
        return hashHere.name(bytes);
      const length = bytes.length; // read before the move: a moved view has length 0
      const r = await workers.sha256(buffer, length);
      return { id: r.sha256, bytes: new Uint8Array(r.buffer, 0, length) };
    },
  };
}
