// Object ids: the hex SHA-256 of an object's stored bytes, checked on every whole read (docs/format.md 2).

import { sha256, toHex } from '../crypto/index.js';
import { CorruptObjectError } from '../errors.js';

export function objectIdOf(bytes: Uint8Array): string {
  return toHex(sha256(bytes));
}

export function verifyObjectId(key: string, id: string, bytes: Uint8Array): void {
  const actual = objectIdOf(bytes);
  if (actual !== id) {
    throw new CorruptObjectError(
      `${key} is damaged: its content does not match its name (SHA-256 ${actual.slice(0, 12)}…)`,
    );
  }
}
