import fc from 'fast-check';
import sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  KEY_BYTES,
  NONCE_BYTES,
  OVERHEAD,
  TAG_BYTES,
  open,
  openWithNonce,
  seal,
  sealWithNonce,
} from './aead.js';
import { randomBytes } from './random.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
/** Byte equality as hex: vitest's element-by-element toEqual takes seconds on 70 KB arrays. */
const expectBytes = (actual: Uint8Array, expected: Uint8Array): void => {
  expect(toHex(actual)).toBe(toHex(expected));
};

const sodiumSeal = (key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, ad: Uint8Array): Uint8Array =>
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(pt, ad, null, nonce, key);
const sodiumOpen = (key: Uint8Array, nonce: Uint8Array, ct: Uint8Array, ad: Uint8Array): Uint8Array =>
  sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ct, ad, nonce, key);

/** Deterministic bytes from a seed (xorshift32): big plaintexts without fast-check drawing 70000 values. */
function seededBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

const key = fc.uint8Array({ minLength: KEY_BYTES, maxLength: KEY_BYTES });
const nonce = fc.uint8Array({ minLength: NONCE_BYTES, maxLength: NONCE_BYTES });
const ad = fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 100 }));
/** Lengths 0..70000, weighted towards the edges: empty, one byte, block (64) and 64 KiB boundaries. */
const plaintext = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(0, 1, 15, 16, 17, 63, 64, 65, 65535, 65536, 65537, 70000),
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 0, max: 70000 }),
    ),
    fc.integer(),
  )
  .map(([length, seed]) => seededBytes(seed, length));

const RUNS = { numRuns: 300 };

beforeAll(async () => {
  await sodium.ready;
});

describe('XChaCha20-Poly1305 known answer', () => {
  // draft-irtf-cfrg-xchacha-03, appendix A.3.1. The expected bytes are the draft's; the test also
  // checks that libsodium gives them, so a typo here could not pass silently.
  const vKey = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
  const vNonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657');
  const vAd = hex('50515253c0c1c2c3c4c5c6c7');
  const vPlaintext = new TextEncoder().encode(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const vCiphertext =
    'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb' +
    '731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452' +
    '2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9' +
    '21f9664c97637da9768812f615c68b13b52e';
  const vTag = 'c0875924c1c7987947deafd8780acf49';

  it('seals to the draft ciphertext and tag, as libsodium does', () => {
    expect(toHex(sealWithNonce(vKey, vNonce, vPlaintext, vAd))).toBe(vCiphertext + vTag);
    expect(toHex(sodiumSeal(vKey, vNonce, vPlaintext, vAd))).toBe(vCiphertext + vTag);
  });

  it('opens the draft ciphertext', () => {
    expectBytes(openWithNonce(vKey, vNonce, hex(vCiphertext + vTag), vAd), vPlaintext);
    expectBytes(open(vKey, concat(vNonce, hex(vCiphertext + vTag)), vAd), vPlaintext);
  });
});

describe('XChaCha20-Poly1305 equals libsodium', () => {
  it('sealWithNonce gives libsodium’s bytes, and libsodium opens them', () => {
    fc.assert(
      fc.property(key, nonce, plaintext, ad, (k, n, p, a) => {
        const ours = sealWithNonce(k, n, p, a);
        expect(ours).toHaveLength(p.length + TAG_BYTES);
        expectBytes(ours, sodiumSeal(k, n, p, a));
        expectBytes(sodiumOpen(k, n, ours, a), p);
      }),
      RUNS,
    );
  });

  it('openWithNonce and open read what libsodium sealed', () => {
    fc.assert(
      fc.property(key, nonce, plaintext, ad, (k, n, p, a) => {
        const theirs = sodiumSeal(k, n, p, a);
        expectBytes(openWithNonce(k, n, theirs, a), p);
        expectBytes(open(k, concat(n, theirs), a), p);
      }),
      RUNS,
    );
  });

  it('seal makes a box (nonce || ciphertext || tag) that libsodium opens', () => {
    fc.assert(
      fc.property(key, plaintext, ad, (k, p, a) => {
        const box = seal(k, p, a);
        expect(box).toHaveLength(p.length + OVERHEAD);
        expectBytes(sodiumOpen(k, box.subarray(0, NONCE_BYTES), box.subarray(NONCE_BYTES), a), p);
        expectBytes(open(k, box, a), p);
      }),
      RUNS,
    );
  });

  it('reads inputs that are views at an offset into a larger buffer', () => {
    const backing = seededBytes(99, 5000);
    const k = backing.subarray(1, 33);
    const n = backing.subarray(40, 64);
    const p = backing.subarray(100, 3100);
    const a = backing.subarray(3101, 3120);
    const sealed = sealWithNonce(k, n, p, a);
    expectBytes(sealed, sodiumSeal(k.slice(), n.slice(), p.slice(), a.slice()));
    const box = concat(new Uint8Array(7), n, sealed).subarray(7);
    expectBytes(open(k, box, a), p.slice());
  });

  it('uses a fresh nonce for every seal', () => {
    const k = randomBytes(KEY_BYTES);
    const p = new Uint8Array(10);
    const nonces = new Set(Array.from({ length: 100 }, () => toHex(seal(k, p, p).subarray(0, NONCE_BYTES))));
    expect(nonces.size).toBe(100);
  });
});

describe('XChaCha20-Poly1305 rejects forgeries', () => {
  const k = seededBytes(1, KEY_BYTES);
  const a = new TextEncoder().encode('blob 1234');
  const box = seal(k, seededBytes(2, 50), a);

  it('throws AuthenticationError when any byte of nonce, ciphertext or tag is flipped', () => {
    for (let i = 0; i < box.length; i++) {
      const bad = box.slice();
      bad[i]! ^= 0x01;
      expect(() => open(k, bad, a), `byte ${i}`).toThrow(AuthenticationError);
    }
  });

  it('throws AuthenticationError for any bit flipped anywhere in larger boxes', () => {
    fc.assert(
      fc.property(key, plaintext, ad, fc.nat(), fc.integer({ min: 0, max: 7 }), (kk, p, aa, at, bit) => {
        const bigBox = seal(kk, p, aa);
        bigBox[at % bigBox.length]! ^= 1 << bit;
        expect(() => open(kk, bigBox, aa)).toThrow(AuthenticationError);
      }),
      { numRuns: 60 },
    );
  });

  it('throws AuthenticationError for every truncation and for an appended byte', () => {
    for (let len = 0; len < box.length; len++) {
      expect(() => open(k, box.subarray(0, len), a), `length ${len}`).toThrow(AuthenticationError);
    }
    expect(() => open(k, concat(box, new Uint8Array(1)), a)).toThrow(AuthenticationError);
    const sealed = box.subarray(NONCE_BYTES);
    const n = box.subarray(0, NONCE_BYTES);
    for (let len = 0; len < sealed.length; len++) {
      expect(() => openWithNonce(k, n, sealed.subarray(0, len), a)).toThrow(AuthenticationError);
    }
  });

  it('throws AuthenticationError for wrong associated data, including empty vs not', () => {
    expect(() => open(k, box, new TextEncoder().encode('blob 1235'))).toThrow(AuthenticationError);
    expect(() => open(k, box, new Uint8Array(0))).toThrow(AuthenticationError);
    expect(() => open(k, box, concat(a, new Uint8Array(1)))).toThrow(AuthenticationError);
    const noAd = seal(k, new Uint8Array(5), new Uint8Array(0));
    expect(() => open(k, noAd, new Uint8Array(1))).toThrow(AuthenticationError);
  });

  it('throws AuthenticationError for a wrong key', () => {
    fc.assert(
      fc.property(key, (other) => {
        fc.pre(toHex(other) !== toHex(k));
        expect(() => open(other, box, a)).toThrow(AuthenticationError);
      }),
      { numRuns: 50 },
    );
  });

  it('gives AuthenticationError a stable code and keeps it an Error', () => {
    let caught: unknown;
    try {
      open(k, box.subarray(0, 10), a);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toBeInstanceOf(AuthenticationError);
    expect((caught as AuthenticationError).code).toBe('COFFER_E_AUTH');
    expect((caught as AuthenticationError).name).toBe('AuthenticationError');
  });

  it('treats wrong key or nonce sizes as programming errors (TypeError)', () => {
    expect(() => seal(new Uint8Array(16), new Uint8Array(1), a)).toThrow(TypeError);
    expect(() => sealWithNonce(k, new Uint8Array(12), new Uint8Array(1), a)).toThrow(TypeError);
    expect(() => openWithNonce(k, new Uint8Array(12), box, a)).toThrow(TypeError);
    expect(() => open(new Uint8Array(31), box, a)).toThrow(TypeError);
  });
});

describe('constants and randomBytes', () => {
  it('match libsodium’s sizes', () => {
    expect(KEY_BYTES).toBe(sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    expect(NONCE_BYTES).toBe(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    expect(TAG_BYTES).toBe(sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES);
    expect(OVERHEAD).toBe(40);
  });

  it('randomBytes returns plain arrays of the asked length, beyond getRandomValues’ 64 KiB limit', () => {
    expect(randomBytes(0)).toHaveLength(0);
    const big = randomBytes(100_000);
    expect(big).toHaveLength(100_000);
    expect(Buffer.isBuffer(big)).toBe(false);
    expect(big.some((b) => b !== 0)).toBe(true);
    expect(toHex(randomBytes(32))).not.toBe(toHex(randomBytes(32)));
    expect(() => randomBytes(-1)).toThrow(TypeError);
    expect(() => randomBytes(1.5)).toThrow(TypeError);
  });
});
