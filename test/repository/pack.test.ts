import { describe, expect, it } from 'vitest';
import { CorruptObjectError } from '../../src/errors.js';
import { openBlob, PackBuilder, readPackHeader, sealBlob } from '../../src/repository/index.js';
import { memRepo, seededBytes } from '../helpers/repo.js';

describe('blobs and packs', () => {
  it('round-trips blobs through a pack, compressing text and storing random data raw', async () => {
    const { master } = await memRepo();
    const text = new TextEncoder().encode('Minutes of the parish council meeting. '.repeat(2000));
    const noise = seededBytes(7, 100_000);
    const builder = new PackBuilder(master);
    const blobs = [
      sealBlob(master, 'data', text, { compression: 'zstd' }),
      sealBlob(master, 'data', noise, { compression: 'zstd' }),
    ];
    for (const b of blobs) expect(builder.add(b)).toBe(true);
    expect(builder.add(blobs[0]!)).toBe(false);
    expect(blobs[0]!.box.length).toBeLessThan(text.length / 10);
    expect(blobs[1]!.box.length).toBe(noise.length + 1 + 40);
    const pack = builder.finish();
    const entries = readPackHeader(master, pack.bytes, pack.id);
    expect(entries).toEqual(pack.entries);
    const [a, b] = entries;
    expect(openBlob(master, 'data', a!.id, pack.bytes.subarray(a!.offset, a!.offset + a!.length))).toEqual(
      text,
    );
    expect(openBlob(master, 'data', b!.id, pack.bytes.subarray(b!.offset, b!.offset + b!.length))).toEqual(
      noise,
    );
    expect(a!.rawLength).toBe(text.length);
  });

  it('rejects a flipped byte anywhere in a blob box', async () => {
    const { master } = await memRepo();
    const blob = sealBlob(master, 'data', seededBytes(1, 300));
    for (let i = 0; i < blob.box.length; i += 17) {
      const box = blob.box.slice();
      box[i]! ^= 0x40;
      expect(() => openBlob(master, 'data', blob.id, box)).toThrow(CorruptObjectError);
    }
  });

  it('rejects a blob presented under another id or type', async () => {
    const { master } = await memRepo();
    const a = sealBlob(master, 'data', seededBytes(1, 100));
    const b = sealBlob(master, 'data', seededBytes(2, 100));
    expect(() => openBlob(master, 'data', b.id, a.box)).toThrow(CorruptObjectError);
    expect(() => openBlob(master, 'tree', a.id, a.box)).toThrow(CorruptObjectError);
  });

  it('rejects truncated packs and damaged headers', async () => {
    const { master } = await memRepo();
    const builder = new PackBuilder(master);
    builder.add(sealBlob(master, 'tree', new TextEncoder().encode('{"nodes":[]}')));
    const { bytes } = builder.finish();
    expect(() => readPackHeader(master, bytes.subarray(0, bytes.length - 1), 'p')).toThrow(
      CorruptObjectError,
    );
    expect(() => readPackHeader(master, bytes.subarray(1), 'p')).toThrow(CorruptObjectError);
    const damaged = bytes.slice();
    damaged[damaged.length - 10]! ^= 1;
    expect(() => readPackHeader(master, damaged, 'p')).toThrow(CorruptObjectError);
    expect(() => readPackHeader(master, new Uint8Array(2), 'p')).toThrow(/truncated/);
  });

  it('a pack from another repository does not open', async () => {
    const a = await memRepo();
    const b = await memRepo();
    const builder = new PackBuilder(a.master);
    builder.add(sealBlob(a.master, 'data', seededBytes(3, 50)));
    expect(() => readPackHeader(b.master, builder.finish().bytes, 'p')).toThrow(CorruptObjectError);
  });
});
