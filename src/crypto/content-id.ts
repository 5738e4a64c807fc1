// Content ids and plain checksums: keyed HMAC-SHA256 names blobs so the storage provider cannot
// confirm a guessed file by its hash; unkeyed SHA-256 is for checksums anyone can recompute.
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * HMAC-SHA256(key, data). Chosen over libsodium's keyed BLAKE2b-256 because node's SHA-NI code
 * is faster here (bench/crypto.mjs) and needs no WASM to be loaded before the first chunk.
 */
export function contentId(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length < 32) throw new TypeError(`contentId: key must be at least 32 bytes, got ${key.length}`);
  return copyOut(createHmac('sha256', keyObject(key)).update(data).digest());
}

/** Importing the key once per master key (not per chunk) saves ~2% of a backup's main-thread time. */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();
function keyObject(key: Uint8Array): KeyObject {
  let k = keyObjects.get(key);
  if (!k) keyObjects.set(key, (k = createSecretKey(key)));
  return k;
}

/** Plain SHA-256, as printed by `sha256sum`. */
export function sha256(data: Uint8Array): Uint8Array {
  return copyOut(createHash('sha256').update(data).digest());
}

/** Lowercase hex, two digits a byte. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX = /^(?:[0-9a-f]{2})*$/;

/**
 * Strict inverse of `toHex`: even length, lowercase 0-9a-f only. Buffer.from(s, 'hex') silently
 * stops at the first bad digit, which would turn a damaged id into a different, shorter one.
 */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !HEX.test(hex)) {
    throw new TypeError('fromHex: expected an even number of lowercase hex digits');
  }
  return copyOut(Buffer.from(hex, 'hex'));
}

/** 32-byte digests are cheap to copy; a plain Uint8Array never shares Buffer's 8 KiB pool. */
function copyOut(buf: Buffer): Uint8Array {
  return new Uint8Array(buf);
}
