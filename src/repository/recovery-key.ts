// Recovery keys (docs/format.md 4.3): 160 random bits a person can type back, with a check against typos.

import { randomBytes, sha256 } from '../crypto/index.js';
import { UsageError } from '../errors.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const KEY_BYTES = 20;
const DATA_CHARS = 32;
const CHECK_CHARS = 4;

export class RecoveryKeyTypoError extends UsageError {
  override readonly code = 'COFFER_E_USAGE';
}

/** A fresh recovery key in its normalized form (36 characters, no separators). */
export function generateRecoveryKey(bytes: Uint8Array = randomBytes(KEY_BYTES)): string {
  if (bytes.length !== KEY_BYTES) throw new TypeError(`a recovery key has ${KEY_BYTES} bytes`);
  const data = base32(bytes, DATA_CHARS);
  return data + checkChars(bytes);
}

/** The printed form: nine groups of four, separated by dashes. */
export function formatRecoveryKey(normalized: string): string {
  return normalized.match(/.{1,4}/g)?.join('-') ?? normalized;
}

/** True when the text has the shape of a recovery key (so a password is tried as one). */
export function looksLikeRecoveryKey(text: string): boolean {
  return cleaned(text).length === DATA_CHARS + CHECK_CHARS && /^[0-9A-Z]+$/.test(cleaned(text));
}

/**
 * Normalizes a typed recovery key: case, separators and look-alike letters do not matter.
 * Throws RecoveryKeyTypoError when the check characters do not match.
 */
export function normalizeRecoveryKey(text: string): string {
  const chars = cleaned(text).replace(/[IL]/g, '1').replace(/O/g, '0');
  if (chars.length !== DATA_CHARS + CHECK_CHARS || [...chars].some((c) => !ALPHABET.includes(c))) {
    throw new RecoveryKeyTypoError(
      `a recovery key has ${DATA_CHARS + CHECK_CHARS} letters and digits in nine groups of four; check what you typed`,
    );
  }
  const bytes = unbase32(chars.slice(0, DATA_CHARS), KEY_BYTES);
  if (checkChars(bytes) !== chars.slice(DATA_CHARS)) {
    throw new RecoveryKeyTypoError(
      'the recovery key has a typing mistake (its last group does not match the others); compare each group with the printed sheet',
    );
  }
  return chars;
}

function cleaned(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, '');
}

function checkChars(bytes: Uint8Array): string {
  const digest = sha256(bytes);
  return base32(digest.subarray(0, 3), CHECK_CHARS); // 20 of those 24 bits
}

/** Crockford base32, most significant bit first; takes the first `chars` characters. */
function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

function unbase32(text: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let acc = 0;
  let bits = 0;
  let i = 0;
  for (const c of text) {
    acc = (acc << 5) | ALPHABET.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out[i++] = (acc >>> (bits - 8)) & 0xff;
      bits -= 8;
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}
