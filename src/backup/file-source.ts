// Reading one file as a stream of buffers, one read ahead, hashing the whole content with SHA-256 on the way.

import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/**
 * Two read buffers used in turn for every file of a backup: allocating a fresh megabyte per read made the
 * garbage collector the largest cost of a backup. Safe because the chunker keeps no reference to a piece
 * once it asks for the next one, and a read into a buffer starts only after that.
 */
export class ReadBuffers {
  readonly #bufs: [Buffer, Buffer];
  #next = 0;

  constructor(size: number) {
    this.#bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  }

  take(): Buffer {
    const buf = this.#bufs[this.#next]!;
    this.#next ^= 1;
    return buf;
  }
}

/** Reads `fh` in pieces, issuing the next read before yielding the current piece. */
export async function* readPieces(
  fh: FileHandle,
  buffers: ReadBuffers,
  hash: Hash,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const readNext = async (): Promise<Uint8Array | undefined> => {
    const buf = buffers.take();
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    return bytesRead === 0 ? undefined : buf.subarray(0, bytesRead);
  };
  let pending = readNext();
  for (;;) {
    const piece = await pending;
    if (!piece) return;
    signal?.throwIfAborted();
    hash.update(piece);
    // The next read goes into the other buffer; this piece's buffer is reused only after the consumer
    // has asked for the piece after this one.
    pending = readNext();
    yield piece;
  }
}

export function newSha256(): Hash {
  return createHash('sha256');
}
