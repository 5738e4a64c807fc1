// The chunker's gear table: 256 pseudo-random u32s derived from the repository's secret chunker key
// (docs/format.md 4.1, 8), so that the provider cannot match chunk sizes against known files.

import { contentId } from '../crypto/index.js';

/** ASCII "coffer/v1/gear"; the entry's index byte is appended to it. */
const LABEL = new TextEncoder().encode('coffer/v1/gear');

/**
 * Entry i = first four bytes, little-endian, of HMAC-SHA-256(chunkerKey, "coffer/v1/gear" || u8 i).
 * 256 HMACs take well under a millisecond; callers still build it once per repository.
 */
export function gearTable(chunkerKey: Uint8Array): Uint32Array {
  if (chunkerKey.length !== 32) {
    throw new TypeError(`gearTable: the chunker key must be 32 bytes, got ${chunkerKey.length}`);
  }
  const table = new Uint32Array(256);
  const message = new Uint8Array(LABEL.length + 1);
  message.set(LABEL);
  for (let i = 0; i < 256; i++) {
    message[LABEL.length] = i;
    const mac = contentId(chunkerKey, message);
    // Spelt out rather than a Uint32Array view so the value does not depend on the host's endianness.
    table[i] = ((mac[0] ?? 0) | ((mac[1] ?? 0) << 8) | ((mac[2] ?? 0) << 16) | ((mac[3] ?? 0) << 24)) >>> 0;
  }
  return table;
}
