// Cryptographically secure random bytes for keys, salts and nonces.
import { randomFillSync } from 'node:crypto';

/**
 * `n` bytes from the operating system's CSPRNG in a fresh, unpooled Uint8Array. Not
 * `crypto.randomBytes`: that returns a Buffer, and `getRandomValues` stops at 65536 bytes.
 */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new TypeError(`randomBytes: n must be a non-negative integer, got ${n}`);
  return randomFillSync(new Uint8Array(n));
}
