// Reading one file as a stream of buffers, one read ahead, hashing the whole content with SHA-256 on the way.

import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Reads `fh` in pieces of `size` bytes, issuing the next read before yielding the current piece. */
export async function* readPieces(
  fh: FileHandle,
  size: number,
  hash: Hash,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const readNext = async (): Promise<Uint8Array | undefined> => {
    const buf = Buffer.allocUnsafe(size);
    const { bytesRead } = await fh.read(buf, 0, size, null);
    return bytesRead === 0 ? undefined : buf.subarray(0, bytesRead);
  };
  let pending = readNext();
  for (;;) {
    const piece = await pending;
    if (!piece) return;
    signal?.throwIfAborted();
    pending = readNext();
    hash.update(piece);
    yield piece;
  }
}

export function newSha256(): Hash {
  return createHash('sha256');
}
