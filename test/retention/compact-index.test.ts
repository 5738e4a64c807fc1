// The compact structures prune holds for big repositories (MasterIndex, BlobIdSet, scanning and
// streaming index files) against plain Maps and Sets that say what they must do.

import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BlobIdSet,
  decodeIndex,
  encodeIndex,
  type IndexedBlob,
  type IndexedPack,
  type IndexFile,
  MasterIndex,
  scanIndex,
} from '../../src/repository/index.js';

const hexId = (seed: number): string => (seed >>> 0).toString(16).padStart(8, '0').repeat(8);
const POOL = Array.from({ length: 40 }, (_, i) => hexId(0x9e3779b9 * (i + 1)));
const PACKS = Array.from({ length: 12 }, (_, i) => hexId(0x7f4a7c15 * (i + 1)).replace(/^./, 'f'));

const blobArb: fc.Arbitrary<IndexedBlob> = fc.record({
  type: fc.constantFrom('data' as const, 'tree' as const),
  id: fc.constantFrom(...POOL),
  offset: fc.nat({ max: 2 ** 32 - 1 }),
  length: fc.nat({ max: 2 ** 32 - 1 }),
  rawLength: fc.nat({ max: 2 ** 32 - 1 }),
});

/** Index files whose packs share blobs (as two concurrent backups make) and may be listed again. */
const filesArb: fc.Arbitrary<IndexFile[]> = fc
  .array(
    fc.array(fc.record({ pack: fc.constantFrom(...PACKS), blobs: fc.array(blobArb, { maxLength: 6 }) }), {
      maxLength: 5,
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((files) => {
    // A pack listed again (an interrupted prune's old and new index) lists the same blobs.
    const first = new Map<string, readonly IndexedBlob[]>();
    return files.map((packs) => ({
      supersedes: [],
      packs: packs.map(({ pack, blobs }) => {
        if (!first.has(pack)) first.set(pack, blobs);
        return { id: pack, blobs: first.get(pack)! };
      }),
    }));
  });

/** What a MasterIndex must answer, the plain way: the first listing of a blob and of a pack wins. */
function model(files: readonly IndexFile[]): {
  blobs: Map<string, { type: string; packId: string; offset: number; length: number; rawLength: number }>;
  packs: Map<string, readonly IndexedBlob[]>;
} {
  const blobs = new Map<
    string,
    { type: string; packId: string; offset: number; length: number; rawLength: number }
  >();
  const packs = new Map<string, readonly IndexedBlob[]>();
  for (const file of files) {
    for (const pack of file.packs) {
      if (packs.has(pack.id)) continue;
      packs.set(pack.id, pack.blobs);
      for (const { id, type, offset, length, rawLength } of pack.blobs) {
        if (!blobs.has(id)) blobs.set(id, { type, packId: pack.id, offset, length, rawLength });
      }
    }
  }
  return { blobs, packs };
}

describe('MasterIndex (compact)', () => {
  it('answers as a Map of first listings does, whether fed decoded files or their bytes', () => {
    fc.assert(
      fc.property(filesArb, (files) => {
        const fromObjects = new MasterIndex();
        const fromBytes = new MasterIndex();
        files.forEach((f, i) => {
          fromObjects.add(f, `file${i}`);
          fromBytes.addEncoded(encodeIndex(f), `index ${i}`, `file${i}`);
        });
        const want = model(files);
        for (const index of [fromObjects, fromBytes]) {
          expect(index.blobCount).toBe(want.blobs.size);
          expect(index.packCount).toBe(want.packs.size);
          expect([...index.packIds()]).toEqual([...want.packs.keys()]);
          expect([...index.files]).toEqual(files.map((_, i) => `file${i}`));
          for (const id of POOL) {
            expect(index.has(id)).toBe(want.blobs.has(id));
            expect(index.lookup(id)).toEqual(want.blobs.get(id));
            const n = index.blobNumber(id);
            expect(n >= 0).toBe(want.blobs.has(id));
            expect(n).toBeLessThan(index.entryCount);
          }
          for (const pack of PACKS) {
            expect(index.hasPack(pack)).toBe(want.packs.has(pack));
            expect(index.packBlobs(pack)).toEqual(want.packs.get(pack) ?? []);
          }
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('finds nothing for text that is not an id, and keeps its entries outside the JavaScript heap', () => {
    const index = new MasterIndex();
    const packs: IndexedPack[] = [];
    for (let p = 0; p < 200; p++) {
      packs.push({
        id: randomBytes(32).toString('hex'),
        blobs: Array.from({ length: 1000 }, (_, i) => ({
          type: 'data' as const,
          id: randomBytes(32).toString('hex'),
          offset: i * 100,
          length: 100,
          rawLength: 90,
        })),
      });
    }
    const bytes = encodeIndex({ supersedes: [], packs });
    const heapBefore = heapAfterGc();
    index.addEncoded(bytes, 'a big index');
    const heapGrowth = heapAfterGc() - heapBefore;
    expect(index.blobCount).toBe(200_000);
    expect(index.lookup(packs[199]!.blobs[999]!.id)).toEqual({
      type: 'data',
      packId: packs[199]!.id,
      offset: 99_900,
      length: 100,
      rawLength: 90,
    });
    // The entries live in typed arrays outside the JavaScript heap: under 20 bytes of heap per blob
    // would be impossible with an object or a string per entry (those cost 100 bytes or more).
    expect(heapGrowth).toBeLessThan(200_000 * 20);
    for (const text of [
      '',
      'zz'.repeat(32),
      packs[0]!.blobs[0]!.id.slice(0, 63),
      `${packs[0]!.blobs[0]!.id}00`,
    ])
      expect(index.has(text)).toBe(false);
  });
});

/** Heap in use once garbage is collected (the test process may not have been started with --expose-gc). */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

describe('BlobIdSet', () => {
  it('behaves as a Set of ids', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...POOL))), (ops) => {
        const set = new BlobIdSet();
        const plain = new Set<string>();
        for (const [adding, id] of ops) {
          if (adding) expect(set.add(id)).toBe(!plain.has(id));
          if (adding) plain.add(id);
          expect(set.has(id)).toBe(plain.has(id));
          expect(set.size).toBe(plain.size);
        }
        for (const id of POOL) expect(set.has(id)).toBe(plain.has(id));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('refuses to hold something that is not an id', () => {
    expect(() => new BlobIdSet().add('not an id')).toThrow(/not a blob id/);
  });
});

describe('index files, scanned and streamed', () => {
  it('scans back what decodes, and skips the blobs of packs it is told to', () => {
    fc.assert(
      fc.property(filesArb, (files) => {
        for (const file of files) {
          const bytes = encodeIndex(file);
          expect(decodeIndex(bytes, 'index')).toEqual(file);
          const seen: string[] = [];
          scanIndex(bytes, 'index', {
            pack: (id, count) => (seen.push(`${id}:${count}`), false),
            blob: () => expect.unreachable('blobs of skipped packs are not reported'),
          });
          expect(seen).toEqual(file.packs.map((p) => `${p.id}:${p.blobs.length}`));
        }
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  it('still refuses damaged index files while scanning', () => {
    const bytes = encodeIndex({
      supersedes: [],
      packs: [{ id: PACKS[0]!, blobs: [{ type: 'data', id: POOL[0]!, offset: 0, length: 1, rawLength: 1 }] }],
    });
    const skip = { pack: () => false, blob: () => undefined };
    expect(() => scanIndex(bytes.subarray(0, bytes.length - 1), 'index x', skip)).toThrow(/ends too early/);
    const badType = bytes.slice();
    badType[1 + 4 + 4 + 36] = 7;
    expect(() => scanIndex(badType, 'index x', skip)).toThrow(/unknown blob type/);
  });
});
