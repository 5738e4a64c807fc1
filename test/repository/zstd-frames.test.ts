import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload } from '../../src/repository/index.js';
import { decompressFrame, frameContentSize } from '../../src/repository/zstd-frames.js';
import { seededBytes } from '../helpers/repo.js';

const text = (n: number): Buffer =>
  Buffer.from('The clerk read the minutes. '.repeat(Math.ceil(n / 28)).slice(0, n));

/** A frame written by a stream that did not know the size in advance: no content size in its header. */
async function streamedFrame(input: Buffer): Promise<Buffer> {
  const z = zlib.createZstdCompress();
  const parts: Buffer[] = [];
  z.on('data', (d: Buffer) => parts.push(d));
  const done = new Promise((r) => z.on('end', r));
  z.write(input.subarray(0, 10));
  z.end(input.subarray(10));
  await done;
  return Buffer.concat(parts);
}

describe('zstd frames', () => {
  it('read the content size of frames of every size field, and decompress them exactly', () => {
    for (const n of [0, 1, 200, 255, 256, 300, 65_791, 70_000, 3_000_000]) {
      const input = text(n);
      const frame = zlib.zstdCompressSync(input);
      expect(frameContentSize(frame)).toBe(n);
      const out = decompressFrame(frame);
      expect(out && Buffer.from(out).equals(input)).toBe(true);
    }
  });

  it('leave frames without a recorded size, damaged frames and non-frames to the caller', async () => {
    const input = text(5000);
    const streamed = await streamedFrame(input);
    expect(zlib.zstdDecompressSync(streamed).equals(input)).toBe(true);
    expect(frameContentSize(streamed)).toBeUndefined();
    expect(decompressFrame(streamed)).toBeUndefined();

    const damaged = zlib.zstdCompressSync(input);
    damaged[damaged.length - 5]! ^= 0xff;
    const out = decompressFrame(damaged);
    expect(out === undefined || !Buffer.from(out).equals(input)).toBe(true);
    // The next frame still decompresses: a damaged one leaves nothing behind.
    expect(Buffer.from(decompressFrame(zlib.zstdCompressSync(input))!).equals(input)).toBe(true);

    expect(frameContentSize(seededBytes(1, 100))).toBeUndefined();
    expect(frameContentSize(new Uint8Array([0x28, 0xb5, 0x2f]))).toBeUndefined();
  });

  it('decodePayload reads what encodePayload writes, through either path', () => {
    for (const payload of [text(10_000), seededBytes(2, 10_000), text(100)]) {
      expect(Buffer.from(decodePayload(encodePayload(payload, 'zstd'), 'test')).equals(payload)).toBe(true);
    }
  });
});
