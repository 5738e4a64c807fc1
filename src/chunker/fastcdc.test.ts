import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkBuffer, type ChunkerOptions, chunkStream, FastCdc, validateChunkerOptions } from './fastcdc.js';
import { gearTable } from './gear.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Many boundaries in a few KiB, for property tests. */
const TINY: ChunkerOptions = { minSize: 64, avgSize: 256, maxSize: 1024 };
/** Enough chunks in a few MiB for statistics. */
const SMALL: ChunkerOptions = { minSize: 2 * KiB, avgSize: 8 * KiB, maxSize: 32 * KiB };
const DEFAULT: ChunkerOptions = { minSize: 256 * KiB, avgSize: 1 * MiB, maxSize: 4 * MiB };

const keyOf = (first: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (first + i) & 0xff);
const GEAR = gearTable(keyOf(1));

/** mulberry32, each output written as a little-endian u32: deterministic bytes, so failures reproduce. */
function prngBytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i += 4) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    t = (t ^ (t >>> 14)) >>> 0;
    for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (t >>> (8 * j)) & 0xff;
  }
  return out;
}

/** Feeds `data` in pieces whose sizes cycle through `sizes`. */
async function* inPieces(data: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  for (let off = 0, k = 0; off < data.length; k++) {
    const n = sizes[k % sizes.length] ?? 1;
    yield data.subarray(off, off + n);
    off += n;
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

const concat = (chunks: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(chunks));
const lengths = (chunks: readonly Uint8Array[]): number[] => chunks.map((c) => c.length);
const digests = (chunks: readonly Uint8Array[]): string[] =>
  chunks.map((c) => createHash('sha256').update(c).digest('hex'));
/** Byte equality without toEqual's element-by-element walk, which takes seconds on MiBs. */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * docs/format.md 8 taken literally and slowly: the gear hash runs over every byte of the stream,
 * never skipped, never reset, and each chunk is the least length the rules allow.
 */
function referenceLengths(data: Uint8Array, gear: Uint32Array, opts: ChunkerOptions): number[] {
  const bits = Math.log2(opts.avgSize);
  const maskS = 2 ** 32 - 2 ** (32 - (bits + 2));
  const maskL = 2 ** 32 - 2 ** (32 - (bits - 2));
  const hashAt = new Uint32Array(data.length);
  for (let i = 0, h = 0; i < data.length; i++) {
    h = (h * 2 + (gear[data[i] ?? 0] ?? 0)) % 2 ** 32;
    hashAt[i] = h;
  }
  const out: number[] = [];
  for (let start = 0; start < data.length;) {
    let cut = Math.min(opts.maxSize, data.length - start);
    for (let len = opts.minSize; len < opts.maxSize && start + len <= data.length; len++) {
      const mask = len <= opts.avgSize ? maskS : maskL;
      if (((hashAt[start + len - 1] ?? 0) & mask) === 0) {
        cut = len;
        break;
      }
    }
    out.push(cut);
    start += cut;
  }
  return out;
}

/** Random bytes, or runs of repeated bytes (which reach maxSize and the long-run hash). */
const arbData = (maxLength: number): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    fc
      .record({ seed: fc.integer(), n: fc.integer({ min: 0, max: maxLength }) })
      .map(({ seed, n }) => prngBytes(seed, n)),
    fc
      .array(fc.record({ byte: fc.integer({ min: 0, max: 255 }), run: fc.integer({ min: 1, max: 3000 }) }), {
        maxLength: 12,
      })
      .map((runs) =>
        concat(runs.map(({ byte, run }) => new Uint8Array(run).fill(byte))).subarray(0, maxLength),
      ),
  );

describe('chunker options', () => {
  it('accepts sane sizes', () => {
    for (const opts of [TINY, SMALL, DEFAULT]) expect(() => validateChunkerOptions(opts)).not.toThrow();
  });

  it.each([
    ['avgSize not a power of two', { minSize: 2048, avgSize: 10_000, maxSize: 32768 }],
    ['minSize = avgSize', { minSize: 8192, avgSize: 8192, maxSize: 32768 }],
    ['avgSize = maxSize', { minSize: 2048, avgSize: 8192, maxSize: 8192 }],
    ['minSize > maxSize', { minSize: 65536, avgSize: 8192, maxSize: 32768 }],
    ['minSize under 64 (twice the hash window)', { minSize: 32, avgSize: 128, maxSize: 1024 }],
    ['maxSize above 1 GiB', { minSize: 2048, avgSize: 8192, maxSize: 2 ** 31 }],
    ['a fraction', { minSize: 2048.5, avgSize: 8192, maxSize: 32768 }],
    ['NaN', { minSize: Number.NaN, avgSize: 8192, maxSize: 32768 }],
  ])('refuses %s with a TypeError', async (_why, opts) => {
    expect(() => validateChunkerOptions(opts)).toThrow(TypeError);
    expect(() => new FastCdc(GEAR, opts)).toThrow(TypeError);
    expect(() => chunkBuffer(new Uint8Array(10), GEAR, opts)).toThrow(TypeError);
    await expect(collect(chunkStream(inPieces(new Uint8Array(10), [10]), GEAR, opts))).rejects.toThrow(
      TypeError,
    );
  });

  it('refuses a gear table that is not 256 entries', () => {
    expect(() => new FastCdc(new Uint32Array(255), SMALL)).toThrow(TypeError);
  });
});

describe('chunkBuffer', () => {
  it('cuts exactly where the written rules say (no skipping shortcut changes a boundary)', () => {
    fc.assert(
      fc.property(arbData(12 * KiB), (data) => {
        expect(lengths(chunkBuffer(data, GEAR, TINY))).toEqual(referenceLengths(data, GEAR, TINY));
      }),
    );
    const data = prngBytes(7, 256 * KiB);
    expect(lengths(chunkBuffer(data, GEAR, SMALL))).toEqual(referenceLengths(data, GEAR, SMALL));
  });

  it('returns chunks that concatenate to the input, each but the last within [minSize, maxSize]', () => {
    fc.assert(
      fc.property(arbData(12 * KiB), (data) => {
        const chunks = chunkBuffer(data, GEAR, TINY);
        expect(sameBytes(concat(chunks), data)).toBe(true);
        for (const c of chunks.slice(0, -1)) {
          expect(c.length).toBeGreaterThanOrEqual(TINY.minSize);
          expect(c.length).toBeLessThanOrEqual(TINY.maxSize);
        }
        expect(chunks.at(-1)?.length ?? 0).toBeLessThanOrEqual(TINY.maxSize);
      }),
    );
  });

  it('averages close to avgSize on random data', () => {
    for (const [opts, n] of [
      [SMALL, 4 * MiB],
      [TINY, 512 * KiB],
    ] as const) {
      const chunks = chunkBuffer(prngBytes(11, n), GEAR, opts);
      const average = n / chunks.length;
      expect(average).toBeGreaterThan(0.7 * opts.avgSize);
      expect(average).toBeLessThan(1.3 * opts.avgSize);
    }
  });
});

describe('chunkStream', () => {
  it('cuts the same chunks however the input is split', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbData(16 * KiB),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }),
        async (data, sizes) => {
          const streamed = await collect(chunkStream(inPieces(data, sizes), GEAR, TINY));
          expect(lengths(streamed)).toEqual(lengths(chunkBuffer(data, GEAR, TINY)));
          expect(sameBytes(concat(streamed), data)).toBe(true);
        },
      ),
    );
  });

  it('cuts the same chunks with realistic sizes, from 1-byte pieces to one 16 MiB buffer', async () => {
    const data = prngBytes(3, 16 * MiB);
    const whole = digests(chunkBuffer(data, GEAR, SMALL));
    expect(digests(await collect(chunkStream(inPieces(data, [data.length]), GEAR, SMALL)))).toEqual(whole);
    const mixed = [1, 100_000, 7, 1 * MiB, 3 * MiB + 5, 40_000];
    expect(digests(await collect(chunkStream(inPieces(data, mixed), GEAR, SMALL)))).toEqual(whole);
    const head = data.subarray(0, 96 * KiB);
    const bytewise = await collect(chunkStream(inPieces(head, [1]), GEAR, SMALL));
    expect(digests(bytewise)).toEqual(digests(chunkBuffer(head, GEAR, SMALL)));
  });

  it('works with a source that refills one buffer, and hands out chunks nothing overwrites', async () => {
    const data = prngBytes(5, 600 * KiB);
    async function* refilling(): AsyncGenerator<Uint8Array> {
      const scratch = new Uint8Array(20_000);
      for (let off = 0; off < data.length; off += scratch.length) {
        const n = Math.min(scratch.length, data.length - off);
        scratch.set(data.subarray(off, off + n));
        yield scratch.subarray(0, n);
        scratch.fill(0xee);
      }
    }
    const chunks = await collect(chunkStream(refilling(), GEAR, SMALL));
    expect(sameBytes(concat(chunks), data)).toBe(true);
    expect(lengths(chunks)).toEqual(lengths(chunkBuffer(data, GEAR, SMALL)));
  });

  it('yields plain Uint8Arrays owning exactly their bytes, even from Buffer input', async () => {
    const data = Buffer.from(prngBytes(6, 300 * KiB));
    for (const sizes of [[data.length], [64 * KiB], [1000, 1]]) {
      const chunks = await collect(chunkStream(inPieces(data, sizes), GEAR, SMALL));
      expect(chunks.length).toBeGreaterThan(10);
      for (const c of chunks) {
        expect(Object.getPrototypeOf(c)).toBe(Uint8Array.prototype);
        expect(c.byteOffset).toBe(0);
        expect(c.buffer.byteLength).toBe(c.length);
      }
    }
  });

  it('puts chunks where alloc says and carries spanning chunks in the buffer it is given', async () => {
    const data = prngBytes(8, 500 * KiB);
    const carry = new Uint8Array(SMALL.maxSize);
    const pool = new ArrayBuffer(64 * KiB);
    const handedOut: Uint8Array[] = [];
    const alloc = (size: number): Uint8Array => {
      // A view at the start of a bigger buffer, as a buffer pool gives (copied out before the next chunk).
      const view = new Uint8Array(pool, 0, size);
      handedOut.push(view);
      return view;
    };
    const copies: Uint8Array[] = [];
    for await (const chunk of chunkStream(inPieces(data, [3000, 7]), GEAR, SMALL, { alloc, carry })) {
      expect(chunk).toBe(handedOut.at(-1));
      copies.push(chunk.slice());
    }
    expect(lengths(copies)).toEqual(lengths(chunkBuffer(data, GEAR, SMALL)));
    expect(sameBytes(concat(copies), data)).toBe(true);
    // The carry buffer was used (chunks spanned pieces), never replaced: it still holds chunk bytes.
    expect(carry.some((b) => b !== 0)).toBe(true);
  });

  it('reads no further ahead than the chunk it is cutting', async () => {
    let pulled = 0;
    let closed = false;
    async function* endless(): AsyncGenerator<Uint8Array> {
      try {
        for (let seed = 1; ; seed++) {
          pulled++;
          yield prngBytes(seed, 1000);
        }
      } finally {
        closed = true;
      }
    }
    const taken: number[] = [];
    for await (const chunk of chunkStream(endless(), GEAR, SMALL)) {
      if (taken.push(chunk.length) === 3) break;
    }
    expect(closed).toBe(true);
    // Each chunk comes out as soon as the piece holding its last byte is in.
    expect(pulled).toBe(Math.ceil(sum(taken) / 1000));
  });

  it('yields nothing for an empty stream or a stream of empty buffers', async () => {
    expect(await collect(chunkStream(inPieces(new Uint8Array(0), [1]), GEAR, SMALL))).toEqual([]);
    const empties = (async function* () {
      yield new Uint8Array(0);
      yield new Uint8Array(0);
    })();
    expect(await collect(chunkStream(empties, GEAR, SMALL))).toEqual([]);
    expect(chunkBuffer(new Uint8Array(0), GEAR, SMALL)).toEqual([]);
  });
});

describe('edge cases', () => {
  /** After 32 equal bytes b the hash is the constant (2^32 - 1) * gear[b] mod 2^32. */
  const zeroRunHash = (2 ** 32 - (GEAR[0] ?? 0)) % 2 ** 32;

  it('gives one chunk for input shorter than minSize', async () => {
    const data = prngBytes(8, SMALL.minSize - 1);
    expect(lengths(chunkBuffer(data, GEAR, SMALL))).toEqual([data.length]);
    const streamed = await collect(chunkStream(inPieces(data, [100]), GEAR, SMALL));
    expect(streamed).toEqual([data]);
  });

  it('cuts all-zero data at maxSize, and exactly maxSize bytes into one chunk', async () => {
    // Precondition of this test's key: a run of zeros matches neither mask (maskL, top 11 bits, has
    // fewer bits than maskS, so missing it misses both).
    expect(zeroRunHash & (2 ** 32 - 2 ** 21)).not.toBe(0);
    const { maxSize } = SMALL;
    expect(lengths(chunkBuffer(new Uint8Array(maxSize), GEAR, SMALL))).toEqual([maxSize]);
    // A chunk that ends exactly at the end of a buffer is reported then, not on the next call.
    expect(new FastCdc(GEAR, SMALL).next(new Uint8Array(maxSize), 0, maxSize)).toBe(maxSize);
    expect(lengths(chunkBuffer(new Uint8Array(maxSize + 1), GEAR, SMALL))).toEqual([maxSize, 1]);
    const zeros = new Uint8Array(5 * maxSize + 7);
    const expected = [maxSize, maxSize, maxSize, maxSize, maxSize, 7];
    expect(lengths(chunkBuffer(zeros, GEAR, SMALL))).toEqual(expected);
    expect(lengths(await collect(chunkStream(inPieces(zeros, [maxSize]), GEAR, SMALL)))).toEqual(expected);
    expect(lengths(await collect(chunkStream(inPieces(zeros, [4099]), GEAR, SMALL)))).toEqual(expected);
  });

  it('splits random data of exactly maxSize bytes without losing or adding a byte', () => {
    const data = prngBytes(9, SMALL.maxSize);
    expect(sum(lengths(chunkBuffer(data, GEAR, SMALL)))).toBe(SMALL.maxSize);
  });

  it('FastCdc.reset starts a new stream', () => {
    const a = prngBytes(10, 5000);
    const b = prngBytes(11, 5000);
    const cdc = new FastCdc(GEAR, TINY);
    expect(cdc.next(a, 0, 50)).toBe(-1);
    cdc.reset();
    const fresh = new FastCdc(GEAR, TINY);
    expect(cdc.next(b, 0, b.length)).toBe(fresh.next(b, 0, b.length));
  });
});

describe('boundaries', () => {
  const data = prngBytes(12, 4 * MiB);
  const before = chunkBuffer(data, GEAR, SMALL);
  const beforeDigests = digests(before);

  function edit(offset: number, insert: number, remove: number): Uint8Array {
    return concat([data.subarray(0, offset), prngBytes(offset + 1, insert), data.subarray(offset + remove)]);
  }

  // Resynchronisation is probable, not certain: over 2,000 random edits 99% changed one chunk and
  // the worst six. These fixed edits make the test deterministic.
  it.each([
    [0, 1, 0],
    [1, 0, 1],
    [100, 3, 0],
    [5000, 0, 7],
    [12_345, 16, 0],
    [30_000, 0, 16],
    [65_000, 5, 5],
    [2 * MiB, 4, 0],
  ])('change only the chunks next to an edit at %i (insert %i, delete %i)', (offset, insert, remove) => {
    const after = digests(chunkBuffer(edit(offset, insert, remove), GEAR, SMALL));
    let same = 0;
    while (after[same] === beforeDigests[same]) same++;
    let sameAtEnd = 0;
    while (
      sameAtEnd < after.length - same &&
      after[after.length - 1 - sameAtEnd] === beforeDigests[beforeDigests.length - 1 - sameAtEnd]
    ) {
      sameAtEnd++;
    }
    // Chunks that end before the edit cannot change; of the rest, only the first one or two.
    let endingBefore = 0;
    for (let end = 0; (end += before[endingBefore]?.length ?? Infinity) <= offset;) endingBefore++;
    expect(same).toBeGreaterThanOrEqual(endingBefore);
    expect(after.length - same - sameAtEnd).toBeLessThanOrEqual(2);
    expect(beforeDigests.length - same - sameAtEnd).toBeLessThanOrEqual(2);
  });

  it('cuts the same content into the same chunks wherever it starts in a file', () => {
    const cutsFrom = (chunks: readonly Uint8Array[], origin: number): number[] => {
      let end = -origin;
      return chunks.map((c) => (end += c.length));
    };
    const beforeCuts = cutsFrom(before, 0);
    for (const prefix of [1000, 12_345, 20_000]) {
      const after = chunkBuffer(concat([prngBytes(prefix, prefix), data]), GEAR, SMALL);
      const afterCuts = cutsFrom(after, prefix);
      // Once one boundary falls where it fell before, every later one does: a boundary depends on
      // nothing before the chunk it ends. Here the first shared one comes within 40 KiB of content.
      const i = afterCuts.findIndex((cut) => beforeCuts.includes(cut));
      const firstShared = afterCuts[i] ?? Infinity;
      expect(firstShared).toBeLessThan(40 * KiB);
      const j = beforeCuts.indexOf(firstShared);
      expect(digests(after.slice(i + 1))).toEqual(beforeDigests.slice(j + 1));
    }
  });

  it('depends on the chunker key', () => {
    const cuts = (gear: Uint32Array): Set<number> => {
      const out = new Set<number>();
      let end = 0;
      for (const c of chunkBuffer(data.subarray(0, 1 * MiB), gear, SMALL)) out.add((end += c.length));
      return out;
    };
    const a = cuts(GEAR);
    const b = cuts(gearTable(keyOf(2)));
    const shared = [...a].filter((x) => b.has(x)).length;
    expect(shared).toBeLessThan(a.size / 10);
  });
});

interface ChunkerVectors {
  key: string;
  gearHead: number[];
  gearSha256: string;
  cases: { options: ChunkerOptions; seed: number; length: number; inputSha256: string; lengths: number[] }[];
}

describe('test/vectors/chunker.json', () => {
  const vectors = JSON.parse(
    readFileSync(new URL('../../test/vectors/chunker.json', import.meta.url), 'utf8'),
  ) as ChunkerVectors;

  it('gives the recorded gear table and chunk lengths', async () => {
    const gear = gearTable(new Uint8Array(Buffer.from(vectors.key, 'hex')));
    expect(Array.from(gear.subarray(0, 4))).toEqual(vectors.gearHead);
    const le = Buffer.alloc(1024);
    gear.forEach((v, i) => le.writeUInt32LE(v, 4 * i));
    expect(createHash('sha256').update(le).digest('hex')).toBe(vectors.gearSha256);
    expect(vectors.cases.length).toBeGreaterThan(0);
    for (const c of vectors.cases) {
      const data = prngBytes(c.seed, c.length);
      expect(createHash('sha256').update(data).digest('hex')).toBe(c.inputSha256);
      expect(lengths(chunkBuffer(data, gear, c.options))).toEqual(c.lengths);
      const streamed = await collect(chunkStream(inPieces(data, [1 * MiB]), gear, c.options));
      expect(lengths(streamed)).toEqual(c.lengths);
    }
  });
});
