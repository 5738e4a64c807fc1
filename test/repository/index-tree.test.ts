import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptObjectError } from '../../src/errors.js';
import {
  decodeIndex,
  decodeTree,
  encodeIndex,
  encodeTree,
  isoToNs,
  nsToIso,
} from '../../src/repository/index.js';

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

describe('index files', () => {
  it('round-trip any packs and blobs, and supersede lists', () => {
    const blob = fc.record({
      type: fc.constantFrom('data' as const, 'tree' as const),
      id: hex64,
      offset: fc.nat({ max: 2 ** 32 - 1 }),
      length: fc.nat({ max: 2 ** 32 - 1 }),
      rawLength: fc.nat({ max: 2 ** 32 - 1 }),
    });
    fc.assert(
      fc.property(
        fc.array(hex64, { maxLength: 3 }),
        fc.array(fc.record({ id: hex64, blobs: fc.array(blob, { maxLength: 5 }) }), { maxLength: 4 }),
        (supersedes, packs) => {
          const file = { supersedes, packs };
          expect(decodeIndex(encodeIndex(file), 'index/x')).toEqual(file);
        },
      ),
    );
  });

  it('refuses truncated or padded index files', () => {
    const bytes = encodeIndex({
      supersedes: [],
      packs: [
        {
          id: 'ab'.repeat(32),
          blobs: [{ type: 'data', id: 'cd'.repeat(32), offset: 0, length: 10, rawLength: 9 }],
        },
      ],
    });
    expect(() => decodeIndex(bytes.subarray(0, bytes.length - 1), 'index/x')).toThrow(CorruptObjectError);
    expect(() => decodeIndex(new Uint8Array([...bytes, 0]), 'index/x')).toThrow(/trailing/);
    expect(() => decodeIndex(new Uint8Array([2, ...bytes.subarray(1)]), 'index/x')).toThrow(
      /unknown index version/,
    );
  });
});

describe('trees', () => {
  it('round-trip nodes of every type, sorted by name bytes, with non-UTF-8 names and targets', () => {
    const nodes = [
      {
        name: Buffer.from('zeta.txt'),
        type: 'file' as const,
        mode: 0o644,
        mtime: '2026-01-05T10:00:00.123456789Z',
        size: 3,
        sha256: 'ab'.repeat(32),
        content: ['cd'.repeat(32)],
        inode: '42',
        ctime: '2026-01-05T10:00:00.000000000Z',
      },
      {
        name: Buffer.from([0x61, 0xe9]),
        type: 'symlink' as const,
        mode: 0o777,
        mtime: '2026-01-05T10:00:00Z',
        target: Buffer.from([0xff, 0x2f]),
      },
      {
        name: Buffer.from('Docs'),
        type: 'dir' as const,
        mode: 0o755,
        mtime: '2026-01-05T10:00:00Z',
        subtree: 'ef'.repeat(32),
        uid: 1000,
        gid: 1000,
      },
    ];
    const decoded = decodeTree(encodeTree({ nodes }), 'tree x');
    expect(decoded.nodes.map((n) => Buffer.from(n.name).toString('latin1'))).toEqual([
      'Docs',
      'a\u00e9',
      'zeta.txt',
    ]);
    const byName = new Map(decoded.nodes.map((n) => [Buffer.from(n.name).toString('latin1'), n]));
    expect(Buffer.from(byName.get('a\u00e9')!.target!)).toEqual(Buffer.from([0xff, 0x2f]));
    expect(byName.get('zeta.txt')).toMatchObject({ size: 3, content: ['cd'.repeat(32)], inode: '42' });
    expect(byName.get('Docs')).toMatchObject({ subtree: 'ef'.repeat(32), uid: 1000 });
    // Encoding is canonical: the same listing in any order gives the same bytes, so unchanged folders dedupe.
    expect(encodeTree({ nodes: [...nodes].reverse() })).toEqual(encodeTree({ nodes }));
  });

  it('refuses duplicate names, both name and nameBytes, and unsafe names', () => {
    const json = (nodes: unknown[]): Uint8Array => new TextEncoder().encode(JSON.stringify({ nodes }));
    const file = {
      type: 'file',
      mode: 420,
      mtime: '2026-01-01T00:00:00Z',
      size: 0,
      sha256: 'ab'.repeat(32),
      content: [],
    };
    expect(() =>
      decodeTree(
        json([
          { name: 'a', ...file },
          { name: 'a', ...file },
        ]),
        't',
      ),
    ).toThrow(/appears twice/);
    expect(() => decodeTree(json([{ name: 'a', nameBytes: 'YQ==', ...file }]), 't')).toThrow(
      /both name and nameBytes/,
    );
    for (const bad of ['..', '.', '', 'a/b'])
      expect(() => decodeTree(json([{ name: bad, ...file }]), 't')).toThrow(/unsafe entry name/);
  });

  it('keeps nanosecond times exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 4_000_000_000n * 1_000_000_000n }), (ns) => {
        expect(isoToNs(nsToIso(ns))).toBe(ns);
      }),
    );
  });
});
