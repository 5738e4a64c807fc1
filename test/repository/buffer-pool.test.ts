import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/repository/index.js';

describe('buffer pool', () => {
  it('hands out buffers of a size class (powers of two and halfway between, at least 64 KiB), reusing returned ones', () => {
    const pool = new BufferPool();
    expect(pool.take(100).byteLength).toBe(64 * 1024);
    expect(pool.take(65 * 1024).byteLength).toBe(96 * 1024);
    expect(pool.take(97 * 1024).byteLength).toBe(128 * 1024);
    const b = pool.take(1024 * 1024 + 41);
    expect(b.byteLength).toBe(1536 * 1024);
    expect(pool.take(4 * 1024 * 1024 + 41).byteLength).toBe(6 * 1024 * 1024);
    pool.give(b);
    expect(pool.take(1400 * 1024)).toBe(b);
    expect(pool.take(1400 * 1024)).not.toBe(b);
  });

  it('ignores buffers that are not of a class (a detached one reads as zero bytes) and keeps a few per class', () => {
    const pool = new BufferPool(2);
    pool.give(new ArrayBuffer(100_000));
    const detached = new ArrayBuffer(64 * 1024);
    structuredClone(detached, { transfer: [detached] });
    pool.give(detached);
    expect(pool.take(10).byteLength).toBe(64 * 1024);

    const kept = [pool.take(10), pool.take(10), pool.take(10)];
    for (const k of kept) pool.give(k);
    const again = [pool.take(10), pool.take(10), pool.take(10)];
    expect(again.filter((x) => kept.includes(x))).toHaveLength(2);
  });
});
