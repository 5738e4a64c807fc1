// The repository's master key: three independent 32-byte keys (docs/format.md 4.1).

import { randomBytes } from '../crypto/index.js';
import { CorruptObjectError } from '../errors.js';

export interface MasterKey {
  /** Encrypts every box except the wrapped master key. */
  readonly encryption: Uint8Array;
  /** Keys the HMAC-SHA-256 that names blobs. */
  readonly contentId: Uint8Array;
  /** Seeds the chunker's gear table. */
  readonly chunker: Uint8Array;
}

const PART = 32;
export const MASTER_KEY_BYTES = 3 * PART;

export function generateMasterKey(): MasterKey {
  return decodeMasterKey(randomBytes(MASTER_KEY_BYTES));
}

export function encodeMasterKey(key: MasterKey): Uint8Array {
  const out = new Uint8Array(MASTER_KEY_BYTES);
  out.set(key.encryption, 0);
  out.set(key.contentId, PART);
  out.set(key.chunker, 2 * PART);
  return out;
}

export function decodeMasterKey(bytes: Uint8Array): MasterKey {
  if (bytes.length !== MASTER_KEY_BYTES) {
    throw new CorruptObjectError(
      `the wrapped master key has ${bytes.length} bytes instead of ${MASTER_KEY_BYTES}`,
    );
  }
  return {
    encryption: bytes.slice(0, PART),
    contentId: bytes.slice(PART, 2 * PART),
    chunker: bytes.slice(2 * PART),
  };
}
