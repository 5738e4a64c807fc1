// The one-byte compression prefix of every box's plaintext (docs/format.md 3.3), with zstd from node:zlib.

import zlib from 'node:zlib';
import { CorruptObjectError, UnsupportedFormatError } from '../errors.js';
import { decompressFrame } from './zstd-frames.js';

export type Compression = 'zstd' | 'none';

export const RAW = 0x00;
export const ZSTD = 0x01;
/** The zstd level writers use: ~260 MB/s at 3.85x on text here (level 1: ~270 MB/s at 3.6x). */
export const ZSTD_LEVEL = 3;

/** Inputs below this size are not worth a zstd frame header. */
export const MIN_COMPRESS_SIZE = 64;

/** Returns `compression byte || body`; compresses only when the result is smaller. */
export function encodePayload(payload: Uint8Array, compression: Compression): Uint8Array {
  if (compression === 'zstd' && payload.length >= MIN_COMPRESS_SIZE && hasZstd()) {
    const packed = zlib.zstdCompressSync(payload, {
      params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL },
    });
    if (packed.length < payload.length) return prefixed(ZSTD, packed);
  }
  return prefixed(RAW, payload);
}

/** Reverses {@link encodePayload}; `what` names the object in error messages. */
export function decodePayload(plaintext: Uint8Array, what: string): Uint8Array {
  if (plaintext.length === 0) throw new CorruptObjectError(`${what} is damaged: empty payload`);
  const body = plaintext.subarray(1);
  switch (plaintext[0]) {
    case RAW:
      return body;
    case ZSTD:
      if (!hasZstd()) {
        throw new UnsupportedFormatError(
          `${what} is zstd-compressed, and this Node.js has no zstd: run coffer on Node.js 22.15 or later (24 LTS recommended)`,
        );
      }
      try {
        const direct = decompressFrame(body);
        if (direct) return direct;
        const out = zlib.zstdDecompressSync(body);
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      } catch (cause) {
        throw new CorruptObjectError(`${what} is damaged: its compressed data does not decompress`, {
          cause,
        });
      }
    default:
      throw new CorruptObjectError(`${what} uses unknown compression ${plaintext[0]}`);
  }
}

/** Like {@link decodePayload}, decompressing on libuv's thread pool. */
export async function decodePayloadAsync(
  plaintext: Uint8Array,
  what: string,
  expectedSize?: number,
): Promise<Uint8Array> {
  if (plaintext[0] !== ZSTD || !hasZstd()) return decodePayload(plaintext, what);
  try {
    const out = await new Promise<Buffer>((resolve, reject) =>
      zlib.zstdDecompress(
        plaintext.subarray(1),
        // One output buffer of the known size, not 16 KiB pieces each with a callback and a copy.
        { chunkSize: Math.max(64 * 1024, (expectedSize ?? 0) + 64) },
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    );
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (cause) {
    throw new CorruptObjectError(`${what} is damaged: its compressed data does not decompress`, { cause });
  }
}

function prefixed(tag: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = tag;
  out.set(body, 1);
  return out;
}

function hasZstd(): boolean {
  return typeof zlib.zstdCompressSync === 'function';
}
