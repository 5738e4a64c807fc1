// Decompressing small zstd frames (trees, indexes, snapshots) on this thread without a new zlib stream per
// frame: zstdDecompressSync builds a stream object and a decompression context each time, which cost more
// than decompressing a tree, and a backup or restore opens one tree per folder.

import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { ZSTD_SOURCE } from './blob-worker-source.js';

interface Zstd {
  readonly kind: 'direct' | 'public';
  decompress(input: Uint8Array, out: Uint8Array): number;
}

let zstd: Zstd | undefined;

/**
 * The blob workers' zstd (ZSTD_SOURCE: long-lived contexts, checked against the public API when made),
 * made here once. It is our own constant source evaluated as the workers evaluate it.
 */
function instance(): Zstd {
  zstd ??= (
    new Function('zlib', 'crypto', 'allocated', 'zstdBound', `${ZSTD_SOURCE}\nreturn makeZstd;`)(
      zlib,
      crypto,
      () => undefined,
      (n: number) => n + (n >>> 8) + 1024,
    ) as (level: number) => Zstd
  )(3);
  return zstd;
}

/**
 * Decompresses one zstd frame that records its content size (every frame coffer writes does) into a
 * buffer of exactly that size; undefined when it does not record it or does not decompress to it, so
 * the caller uses zstdDecompressSync (which also says what is wrong).
 */
export function decompressFrame(frame: Uint8Array): Uint8Array | undefined {
  const size = frameContentSize(frame);
  if (size === undefined || size > 64 * 1024 * 1024) return undefined;
  // A byte to spare: an exactly full buffer reads as too small (see ZSTD_SOURCE).
  const out = Buffer.allocUnsafeSlow(size + 1);
  let n: number;
  try {
    n = instance().decompress(frame, out);
  } catch {
    return undefined;
  }
  return n === size ? new Uint8Array(out.buffer, out.byteOffset, n) : undefined;
}

/** The content size a zstd frame header records (RFC 8878 3.1.1.1), or undefined. */
export function frameContentSize(frame: Uint8Array): number | undefined {
  if (frame.length < 6 || frame[0] !== 0x28 || frame[1] !== 0xb5 || frame[2] !== 0x2f || frame[3] !== 0xfd)
    return undefined;
  const descriptor = frame[4]!;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictIdBytes = [0, 1, 2, 4][descriptor & 3]!;
  const fcsBytes = fcsFlag === 0 ? singleSegment : [1, 2, 4, 8][fcsFlag]!;
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictIdBytes;
  if (frame.length < at + fcsBytes) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset + at, fcsBytes);
  switch (fcsBytes) {
    case 1:
      return view.getUint8(0);
    case 2:
      return view.getUint16(0, true) + 256;
    case 4:
      return view.getUint32(0, true);
    default: {
      const big = view.getBigUint64(0, true);
      return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : undefined;
    }
  }
}
