import fc from 'fast-check';
import sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { hchacha20 } from './hchacha20.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

beforeAll(async () => {
  await sodium.ready;
});

describe('hchacha20', () => {
  it('matches the draft-irtf-cfrg-xchacha-03 section 2.2.1 test vector', () => {
    const key = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const nonce = hex('000000090000004a0000000031415927');
    expect(Buffer.from(hchacha20(key, nonce)).toString('hex')).toBe(
      '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc',
    );
  });

  it('equals libsodium crypto_core_hchacha20 on random keys and nonces', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (key, nonce) => {
          expect(hchacha20(key, nonce)).toEqual(sodium.crypto_core_hchacha20(nonce, key, null));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads views at their offset, not from the start of the underlying buffer', () => {
    const backing = new Uint8Array(100).map((_, i) => (i * 37) & 0xff);
    const key = backing.subarray(3, 35);
    const nonce = backing.subarray(51, 67);
    expect(hchacha20(key, nonce)).toEqual(sodium.crypto_core_hchacha20(nonce.slice(), key.slice(), null));
  });

  it('handles all-ones words (no sign or overflow slips in 32-bit arithmetic)', () => {
    const key = new Uint8Array(32).fill(0xff);
    const nonce = new Uint8Array(16).fill(0xff);
    expect(hchacha20(key, nonce)).toEqual(sodium.crypto_core_hchacha20(nonce, key, null));
  });

  it('rejects a key or nonce of the wrong size', () => {
    expect(() => hchacha20(new Uint8Array(31), new Uint8Array(16))).toThrow(TypeError);
    expect(() => hchacha20(new Uint8Array(32), new Uint8Array(24))).toThrow(TypeError);
  });
});
