// Test helpers for repositories: in-memory storage, near-free key derivation, seeded bytes.

import { TEST_KDF } from '../../src/crypto/index.js';
import { initRepository, type Repository } from '../../src/repository/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { Storage } from '../../src/storage/storage.js';

export const fastKdf = TEST_KDF;

export const TEST_PASSWORD = 'correct horse battery staple';

export async function memRepo(
  password = TEST_PASSWORD,
  storage: Storage = new MemoryStorage(),
): Promise<Repository> {
  return initRepository(storage, { password, holder: { name: 'clerk', role: 'owner' }, kdf: fastKdf });
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function seededBytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
