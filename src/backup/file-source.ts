// Reading one file as a stream of buffers, one read ahead.

import { type BigIntStats, close, fstat, open, read } from 'node:fs';
import { promisify } from 'node:util';

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

/** What one file being read at a time needs: read buffers, and room for a chunk spanning two reads. */
export class FileBuffers {
  readonly read: ReadBuffers;
  readonly carry: Uint8Array;

  constructor(readSize: number, maxChunkSize: number) {
    this.read = new ReadBuffers(readSize);
    // Only the bytes a chunk actually spans are ever touched, so this costs memory as chunks need it.
    this.carry = new Uint8Array(maxChunkSize);
  }
}

/**
 * Reads `fd` in pieces, issuing the next read before yielding the current piece. `expectedSize` (from the
 * lstat before) saves the last read of a file that is all there: a short read that reaches it is the end.
 * A file that grew meanwhile is then cut at that size; the caller's check after reading says it changed.
 */
export async function* readPieces(
  fd: number,
  buffers: ReadBuffers,
  expectedSize: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  let atEnd = false;
  const readNext = async (): Promise<Uint8Array | undefined> => {
    if (atEnd) return undefined;
    const buf = buffers.take();
    const { bytesRead } = await fdRead(fd, buf, 0, buf.length, null);
    total += bytesRead;
    atEnd = bytesRead < buf.length && total >= expectedSize;
    return bytesRead === 0 ? undefined : buf.subarray(0, bytesRead);
  };
  let pending = readNext();
  for (;;) {
    const piece = await pending;
    if (!piece) return;
    signal?.throwIfAborted();
    // The next read goes into the other buffer; this piece's buffer is reused only after the consumer
    // has asked for the piece after this one.
    pending = readNext();
    yield piece;
  }
}

// Plain descriptors: a FileHandle's promise machinery cost more than the system calls for the many small
// files of a backup.
export const openForReading = (path: Buffer): Promise<number> => fdOpen(path, 'r');
export const statOpen = (fd: number): Promise<BigIntStats> => fdStat(fd, { bigint: true });
export const closeFile = (fd: number): Promise<void> => fdClose(fd);
const fdOpen = promisify(open);
const fdRead = promisify(read);
const fdStat = promisify(fstat) as (fd: number, opts: { bigint: true }) => Promise<BigIntStats>;
const fdClose = promisify(close);
