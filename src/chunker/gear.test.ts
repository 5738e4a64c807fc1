import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gearTable } from './gear.js';

const keyOf = (first: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (first + i) & 0xff);

/** The table as docs/format.md 8 words it, computed without any coffer code. */
function referenceTable(key: Uint8Array): number[] {
  return Array.from({ length: 256 }, (_, i) => {
    const mac = createHmac('sha256', key)
      .update(Buffer.concat([Buffer.from('coffer/v1/gear', 'ascii'), Buffer.from([i])]))
      .digest();
    return mac.readUInt32LE(0);
  });
}

describe('gearTable', () => {
  it('is HMAC-SHA-256(key, "coffer/v1/gear" || u8 i), first four bytes little-endian', () => {
    for (const key of [keyOf(0), keyOf(0x80), new Uint8Array(32).fill(0xff)]) {
      const table = gearTable(key);
      expect(table).toBeInstanceOf(Uint32Array);
      expect(Array.from(table)).toEqual(referenceTable(key));
    }
  });

  it('depends on the key, and is the same for the same key', () => {
    const a = gearTable(keyOf(0));
    const b = gearTable(keyOf(1));
    expect(gearTable(keyOf(0))).toEqual(a);
    const same = a.filter((v, i) => v === b[i]).length;
    expect(same).toBe(0);
  });

  it('has 256 distinct entries using the full 32 bits', () => {
    const table = gearTable(keyOf(7));
    expect(new Set(table).size).toBe(256);
    // Half the entries should have the top bit set; the masks test high bits, so it matters.
    const high = table.filter((v) => v >= 2 ** 31).length;
    expect(high).toBeGreaterThan(96);
    expect(high).toBeLessThan(160);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => gearTable(new Uint8Array(16))).toThrow(TypeError);
    expect(() => gearTable(new Uint8Array(33))).toThrow(TypeError);
  });
});
