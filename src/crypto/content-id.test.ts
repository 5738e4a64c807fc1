import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentId, fromHex, sha256, toHex } from './content-id.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('contentId', () => {
  it('is HMAC-SHA256 (RFC 4231 test case 6: a key longer than the block)', () => {
    const key = new Uint8Array(131).fill(0xaa);
    const data = utf8('Test Using Larger Than Block-Size Key - Hash Key First');
    expect(toHex(contentId(key, data))).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('is 32 bytes, deterministic, and depends on the key as well as the data', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 2048 }),
        (k1, k2, data) => {
          fc.pre(toHex(k1) !== toHex(k2));
          const id = contentId(k1, data);
          expect(id).toHaveLength(32);
          expect(contentId(k1, data)).toEqual(id);
          expect(contentId(k2, data)).not.toEqual(id);
          expect(id).not.toEqual(sha256(data));
        },
      ),
    );
  });

  it('depends on every byte of the data', () => {
    const key = new Uint8Array(32).fill(7);
    const data = new Uint8Array(64);
    const base = toHex(contentId(key, data));
    for (let i = 0; i < data.length; i++) {
      const changed = data.slice();
      changed[i] = 1;
      expect(toHex(contentId(key, changed))).not.toBe(base);
    }
  });

  it('refuses a short key', () => {
    expect(() => contentId(new Uint8Array(16), new Uint8Array(1))).toThrow(TypeError);
  });
});

describe('sha256', () => {
  it('matches the FIPS 180-2 examples', () => {
    expect(toHex(sha256(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(toHex(sha256(utf8('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('returns a plain Uint8Array of its own', () => {
    const d = sha256(utf8('abc'));
    expect(Buffer.isBuffer(d)).toBe(false);
    expect(d.byteOffset).toBe(0);
    expect(d.buffer.byteLength).toBe(32);
  });
});

describe('toHex / fromHex', () => {
  it('round-trip any bytes, as lowercase hex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const h = toHex(bytes);
        expect(h).toMatch(/^[0-9a-f]*$/);
        expect(h).toHaveLength(bytes.length * 2);
        expect(fromHex(h)).toEqual(bytes);
      }),
    );
  });

  it('toHex reads a view at its offset', () => {
    const backing = new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
    expect(toHex(backing.subarray(1, 3))).toBe('adbe');
  });

  it('fromHex of the empty string is empty', () => {
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it.each(['a', 'abc', 'AB', 'aB', 'zz', '0x00', ' 00', '00 ', '0g', '00\n', 'é0'])(
    'fromHex rejects %j',
    (s) => {
      expect(() => fromHex(s)).toThrow(TypeError);
    },
  );

  it('fromHex rejects a non-string', () => {
    expect(() => fromHex(42 as unknown as string)).toThrow(TypeError);
  });
});
