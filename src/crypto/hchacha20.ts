// HChaCha20 (draft-irtf-cfrg-xchacha, section 2.2): derives the per-nonce subkey of XChaCha20.
// Neither node:crypto nor OpenSSL exposes it, and it is one ChaCha20 block without the final
// addition, so a few lines of JS beat calling into WASM for 32 bytes (or deriving it from a ChaCha20
// keystream through node:crypto, ~20 µs a call against this one's ~1 µs).
//
// The function is self-contained (no helpers or constants outside it, no nested functions), because the
// blob workers run its source text (`hchacha20.toString()`, see blob-worker-source.ts): one
// implementation for both.

/**
 * HChaCha20(key, nonce16) -> 32-byte subkey, identical to libsodium's `crypto_core_hchacha20`
 * with the default constant. Byte order is little-endian whatever the host's.
 */
export function hchacha20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new TypeError(`hchacha20: key must be 32 bytes, got ${key.length}`);
  if (nonce16.length !== 16) throw new TypeError(`hchacha20: nonce must be 16 bytes, got ${nonce16.length}`);

  const k = new DataView(key.buffer, key.byteOffset, 32);
  const n = new DataView(nonce16.buffer, nonce16.byteOffset, 16);
  // Sixteen locals rather than an array: V8 keeps them in registers. Words 0-3 are "expand 32-byte k".
  let x0 = 0x61707865,
    x1 = 0x3320646e,
    x2 = 0x79622d32,
    x3 = 0x6b206574;
  let x4 = k.getUint32(0, true),
    x5 = k.getUint32(4, true),
    x6 = k.getUint32(8, true),
    x7 = k.getUint32(12, true);
  let x8 = k.getUint32(16, true),
    x9 = k.getUint32(20, true),
    x10 = k.getUint32(24, true),
    x11 = k.getUint32(28, true);
  let x12 = n.getUint32(0, true),
    x13 = n.getUint32(4, true),
    x14 = n.getUint32(8, true),
    x15 = n.getUint32(12, true);

  // One quarter round a line, as in RFC 8439 section 2.1, is easier to check than prettier's 120 lines.
  // prettier-ignore
  for (let round = 0; round < 20; round += 2) {
    // Column round.
    x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 16) | (x12 >>> 16); x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 12) | (x4 >>> 20); x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 8) | (x12 >>> 24); x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 7) | (x4 >>> 25);
    x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 16) | (x13 >>> 16); x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 12) | (x5 >>> 20); x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 8) | (x13 >>> 24); x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 7) | (x5 >>> 25);
    x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 16) | (x14 >>> 16); x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 12) | (x6 >>> 20); x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 8) | (x14 >>> 24); x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 7) | (x6 >>> 25);
    x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 16) | (x15 >>> 16); x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 12) | (x7 >>> 20); x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 8) | (x15 >>> 24); x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 7) | (x7 >>> 25);
    // Diagonal round.
    x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 16) | (x15 >>> 16); x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 12) | (x5 >>> 20); x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 8) | (x15 >>> 24); x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 7) | (x5 >>> 25);
    x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 16) | (x12 >>> 16); x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 12) | (x6 >>> 20); x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 8) | (x12 >>> 24); x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 7) | (x6 >>> 25);
    x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 16) | (x13 >>> 16); x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 12) | (x7 >>> 20); x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 8) | (x13 >>> 24); x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 7) | (x7 >>> 25);
    x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 16) | (x14 >>> 16); x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 12) | (x4 >>> 20); x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 8) | (x14 >>> 24); x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 7) | (x4 >>> 25);
  }

  // HChaCha20 keeps words 0-3 and 12-15 and skips ChaCha20's feed-forward addition.
  const out = new Uint8Array(32);
  const o = new DataView(out.buffer);
  o.setUint32(0, x0, true);
  o.setUint32(4, x1, true);
  o.setUint32(8, x2, true);
  o.setUint32(12, x3, true);
  o.setUint32(16, x12, true);
  o.setUint32(20, x13, true);
  o.setUint32(24, x14, true);
  o.setUint32(28, x15, true);
  return out;
}
