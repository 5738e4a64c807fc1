import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hchacha20 } from '../../src/crypto/hchacha20.js';
import { CorruptObjectError } from '../../src/errors.js';
import { HCHACHA20_SOURCE, ZSTD_SOURCE } from '../../src/repository/blob-worker-source.js';
import {
  assemblePack,
  blobIdOf,
  BlobWorkers,
  BOX_OVERHEAD,
  type MasterKey,
  objectIdOf,
  openBlob,
  sealBlob,
} from '../../src/repository/index.js';
import { memRepo, seededBytes } from '../helpers/repo.js';

const TEXT = new TextEncoder().encode('Minutes of the parish council meeting held on Tuesday. '.repeat(4000));

/** Byte equality without toEqual's element-by-element walk, which takes seconds on MiBs. */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** A fresh ArrayBuffer of `room` bytes holding `bytes` at its start. */
function bufferWith(bytes: Uint8Array, room = bytes.length + BOX_OVERHEAD): ArrayBuffer {
  const buf = new ArrayBuffer(room);
  new Uint8Array(buf).set(bytes);
  return buf;
}

/** The worker's own helpers, evaluated here with the names the worker source expects in scope. */
function workerHelpers(): {
  hchacha20: (key: Buffer, n16: Buffer) => Buffer;
  makeZstd: (level: number) => {
    kind: string;
    compress(input: Uint8Array, out: Buffer): number;
    decompress(input: Uint8Array, out: Buffer): number;
  };
} {
  const body = `${HCHACHA20_SOURCE}\n${ZSTD_SOURCE}\nreturn { hchacha20, makeZstd };`;
  // The worker runs these as plain JavaScript in its own scope; this gives them the same names.
  return new Function('crypto', 'zlib', 'allocated', 'free', 'zstdBound', body)(
    crypto,
    zlib,
    () => undefined,
    () => undefined,
    (n: number) => n + (n >>> 8) + 1024,
  ) as ReturnType<typeof workerHelpers>;
}

describe('blob workers', () => {
  let master: MasterKey;
  let workers: BlobWorkers;

  beforeEach(async () => {
    master = (await memRepo()).master;
    workers = new BlobWorkers(master, { threads: 2 });
  });
  afterEach(() => workers.close());

  it('name chunks with the content ids the main thread computes, and hand the buffer back', async () => {
    for (const bytes of [TEXT, seededBytes(3, 70_000), new Uint8Array(1)]) {
      const buf = bufferWith(bytes);
      const named = await workers.name(buf, bytes.length);
      expect(named.id).toBe(blobIdOf(master, bytes));
      expect(buf.byteLength).toBe(0); // moved to the worker
      expect(same(new Uint8Array(named.buffer, 0, bytes.length), bytes)).toBe(true);
    }
  });

  it('seal blobs in place into boxes that openBlob opens: compressed when it pays, raw when not', async () => {
    const noise = seededBytes(5, 200_000);
    for (const [type, bytes] of [
      ['data', TEXT],
      ['tree', TEXT.subarray(0, 5000)],
      ['data', noise],
      ['data', new Uint8Array(10)],
    ] as const) {
      const id = blobIdOf(master, bytes);
      const sealed = await workers.seal(bufferWith(bytes), bytes.length, type, id, true);
      const box = new Uint8Array(sealed.buffer, 0, sealed.length);
      expect(same(openBlob(master, type, id, box), bytes)).toBe(true);
      if (bytes === noise || bytes.length < 64) expect(sealed.length).toBe(bytes.length + BOX_OVERHEAD);
      else expect(sealed.length).toBeLessThan(bytes.length / 5);
      // Bound to its type and id, like every blob box.
      expect(() => openBlob(master, type === 'data' ? 'tree' : 'data', id, box)).toThrow(CorruptObjectError);
    }
    const raw = await workers.seal(bufferWith(TEXT), TEXT.length, 'data', blobIdOf(master, TEXT), false);
    expect(raw.length).toBe(TEXT.length + BOX_OVERHEAD);
  });

  it('hash files from their chunks as they are named, each file on one worker, in the order sent', async () => {
    const a = [TEXT.subarray(0, 70_000), seededBytes(11, 300_000), TEXT.subarray(70_000)];
    const b = [seededBytes(12, 1000), seededBytes(13, 90_000)];
    const fa = workers.beginFile();
    const fb = workers.beginFile();
    expect(fa.slot).not.toBe(fb.slot); // two workers: the second file goes to the idle one
    const names: Promise<unknown>[] = [];
    // Interleaved, and not awaited one by one: the order of sending is what counts.
    for (let i = 0; i < 3; i++) {
      names.push(workers.name(bufferWith(a[i]!), a[i]!.length, fa));
      if (b[i]) names.push(workers.name(bufferWith(b[i]!), b[i]!.length, fb));
    }
    const [ha, hb] = await Promise.all([workers.fileSha256(fa), workers.fileSha256(fb)]);
    await Promise.all(names);
    const sha = (parts: Uint8Array[]): string =>
      crypto.createHash('sha256').update(Buffer.concat(parts)).digest('hex');
    expect(ha).toBe(sha(a));
    expect(hb).toBe(sha(b));
    // An empty file, and a dropped one, leave nothing behind.
    expect(await workers.fileSha256(workers.beginFile())).toBe(sha([]));
    const dropped = workers.beginFile();
    await workers.name(bufferWith(TEXT), TEXT.length, dropped);
    workers.dropFile(dropped);
    expect(await workers.fileSha256(dropped)).toBe(sha([])); // forgotten: starts again from nothing
  });

  it('name and seal a chunk in one call: the id, and a box that openBlob opens', async () => {
    const file = workers.beginFile();
    for (const bytes of [TEXT, seededBytes(14, 100_000)]) {
      const r = await workers.nameAndSeal(bufferWith(bytes), bytes.length, file, true);
      expect(r.id).toBe(blobIdOf(master, bytes));
      expect(same(openBlob(master, 'data', r.id, new Uint8Array(r.buffer, 0, r.length)), bytes)).toBe(true);
    }
    expect(await workers.fileSha256(file)).toBe(
      crypto.createHash('sha256').update(TEXT).update(seededBytes(14, 100_000)).digest('hex'),
    );
    await expect(workers.nameAndSeal(bufferWith(TEXT, TEXT.length), TEXT.length, file, true)).rejects.toThrow(
      RangeError,
    );
  });

  it('refuse to seal into a buffer without room for the box', async () => {
    await expect(workers.seal(bufferWith(TEXT, TEXT.length), TEXT.length, 'data', 'x', true)).rejects.toThrow(
      RangeError,
    );
  });

  it('open boxes sealed on the main thread, and name the damage the way openBlob does', async () => {
    for (const bytes of [TEXT, seededBytes(9, 300_000)]) {
      const blob = sealBlob(master, 'data', bytes, { compression: 'zstd' });
      const out = new ArrayBuffer(bytes.length + 1);
      const opened = await workers.open(
        bufferWith(blob.box, blob.box.length),
        0,
        blob.box.length,
        out,
        'data',
        blob.id,
        bytes.length,
      );
      expect(same(opened.plaintext, bytes)).toBe(true);
      expect(opened.plaintext.buffer).toBe(opened.buffer);
    }

    const blob = sealBlob(master, 'data', TEXT, { compression: 'zstd' });
    const expectDamage = async (box: Uint8Array, id: string, message: RegExp): Promise<void> => {
      const err = await workers
        .open(
          bufferWith(box, box.length),
          0,
          box.length,
          new ArrayBuffer(TEXT.length + 1),
          'data',
          id,
          TEXT.length,
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptObjectError);
      expect((err as Error).message).toMatch(message);
      let mainMessage = '';
      try {
        openBlob(master, 'data', id, box);
      } catch (e) {
        mainMessage = (e as Error).message;
      }
      expect((err as Error).message).toBe(mainMessage);
    };
    const flipped = blob.box.slice();
    flipped[40]! ^= 1;
    await expectDamage(flipped, blob.id, /failed authentication/);
    await expectDamage(blob.box.subarray(0, 20), blob.id, /failed authentication/);
    // Sealed under the id of other content: it authenticates, but its content is not what the id names.
    const liar = sealBlob(master, 'data', TEXT, {
      compression: 'zstd',
      id: blobIdOf(master, seededBytes(1, 10)),
    });
    await expectDamage(liar.box, liar.id, /does not match its id/);
  });

  it('open a blob bigger than the buffer given for it into a buffer of its own', async () => {
    const blob = sealBlob(master, 'data', TEXT, { compression: 'zstd' });
    const opened = await workers.open(
      bufferWith(blob.box, blob.box.length),
      0,
      blob.box.length,
      new ArrayBuffer(100),
      'data',
      blob.id,
      99,
    );
    expect(same(opened.plaintext, TEXT)).toBe(true);
  });

  it('verify whole packs: their SHA-256, and which blobs fail', async () => {
    const blobs = [TEXT, seededBytes(2, 50_000), TEXT.subarray(0, 3000)].map((b) =>
      sealBlob(master, 'data', b, { compression: 'zstd' }),
    );
    const pack = assemblePack(master, blobs);
    const good = await workers.verifyPack(
      bufferWith(pack.bytes, pack.bytes.length),
      0,
      pack.bytes.length,
      pack.entries,
    );
    expect(good).toEqual({ sha256: objectIdOf(pack.bytes), badBlobs: [] });

    const damaged = pack.bytes.slice();
    damaged[pack.entries[1]!.offset + 30]! ^= 1;
    const lying = pack.entries.map((e, i) => (i === 2 ? { ...e, rawLength: e.rawLength + 1 } : e));
    const out = [...pack.entries, { ...pack.entries[0]!, id: 'f'.repeat(64), offset: damaged.length }];
    const bad = await workers.verifyPack(bufferWith(damaged, damaged.length), 0, damaged.length, [
      ...lying,
      out.at(-1)!,
    ]);
    expect(bad.sha256).toBe(objectIdOf(damaged));
    expect(bad.badBlobs).toEqual([pack.entries[1]!.id, pack.entries[2]!.id, 'f'.repeat(64)]);
  });

  it('reject calls once closed, instead of waiting for workers that are gone', async () => {
    await workers.close();
    await expect(workers.name(bufferWith(TEXT), TEXT.length)).rejects.toThrow(/closed/);
  });
});

describe("the worker's own primitives", () => {
  it('HChaCha20 run from its source text, as the workers run it, equals the module function', () => {
    const { hchacha20: fromText } = workerHelpers();
    for (let i = 0; i < 50; i++) {
      const key = crypto.randomBytes(32);
      const nonce = crypto.randomBytes(16);
      expect(new Uint8Array(fromText(key, nonce))).toEqual(hchacha20(key, nonce));
    }
  });

  it('zstd on long-lived contexts is chosen on this Node, and round-trips with the public API', () => {
    const zstd = workerHelpers().makeZstd(3);
    expect(zstd.kind).toBe('direct');
    const params = { [zlib.constants.ZSTD_c_compressionLevel]: 3 };
    for (const input of [
      Buffer.from(TEXT),
      Buffer.from(TEXT.subarray(0, 1000)),
      Buffer.from(seededBytes(4, 100_000)),
    ]) {
      const frame = Buffer.alloc(input.length);
      const n = zstd.compress(input, frame);
      if (n < 0) {
        // Incompressible: not smaller, so not kept.
        expect(zlib.zstdCompressSync(input, { params }).length).toBeGreaterThanOrEqual(input.length - 1);
        continue;
      }
      expect(zlib.zstdDecompressSync(frame.subarray(0, n)).equals(input)).toBe(true);
      const back = Buffer.alloc(input.length + 1);
      expect(zstd.decompress(zlib.zstdCompressSync(input, { params }), back)).toBe(input.length);
      expect(back.subarray(0, input.length).equals(input)).toBe(true);
      // Too small a buffer is reported, and the context still works for the next frame.
      expect(zstd.decompress(frame.subarray(0, n), Buffer.alloc(10))).toBe(-1);
      expect(zstd.decompress(frame.subarray(0, n), back)).toBe(input.length);
    }
    // A damaged frame throws, and the next one still decompresses.
    const frame = zlib.zstdCompressSync(Buffer.from(TEXT), { params });
    const broken = Buffer.from(frame);
    broken[20]! ^= 0xff;
    broken[21]! ^= 0xff;
    const out = Buffer.alloc(TEXT.length + 1);
    let failed: boolean;
    try {
      const n = zstd.decompress(broken, out);
      failed = n < 0 || !out.subarray(0, n).equals(Buffer.from(TEXT));
    } catch {
      failed = true;
    }
    expect(failed).toBe(true);
    expect(zstd.decompress(frame, out)).toBe(TEXT.length);
  });
});
