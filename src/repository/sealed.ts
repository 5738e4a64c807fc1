// Seal and open payloads as boxes (docs/format.md 3.1, 3.3), turning authentication failures into typed damage.

import { AuthenticationError, open, seal, sealWithNonce } from '../crypto/index.js';
import { CorruptObjectError } from '../errors.js';
import { type Compression, decodePayload, decodePayloadAsync, encodePayload } from './compression.js';

export interface SealOptions {
  compression?: Compression;
  /** Fixed nonce, only for producing test vectors. */
  nonce?: Uint8Array;
}

export function sealPayload(
  key: Uint8Array,
  ad: Uint8Array,
  payload: Uint8Array,
  opts: SealOptions = {},
): Uint8Array {
  const plaintext = encodePayload(payload, opts.compression ?? 'none');
  if (!opts.nonce) return seal(key, plaintext, ad);
  const body = sealWithNonce(key, opts.nonce, plaintext, ad);
  const box = new Uint8Array(opts.nonce.length + body.length);
  box.set(opts.nonce);
  box.set(body, opts.nonce.length);
  return box;
}

/** Like {@link openPayload}, decompressing off the main thread. */
export async function openPayloadAsync(
  key: Uint8Array,
  ad: Uint8Array,
  box: Uint8Array,
  what: string,
  expectedSize?: number,
): Promise<Uint8Array> {
  return decodePayloadAsync(openRaw(key, ad, box, what), what, expectedSize);
}

function openRaw(key: Uint8Array, ad: Uint8Array, box: Uint8Array, what: string): Uint8Array {
  try {
    return open(key, box, ad);
  } catch (cause) {
    if (cause instanceof AuthenticationError) {
      throw new CorruptObjectError(`${what} is damaged or was tampered with: it failed authentication`, {
        cause,
      });
    }
    throw cause;
  }
}

/** Opens a box; `what` names the object for the message a clerk sees when it is damaged. */
export function openPayload(key: Uint8Array, ad: Uint8Array, box: Uint8Array, what: string): Uint8Array {
  let plaintext: Uint8Array;
  try {
    plaintext = open(key, box, ad);
  } catch (cause) {
    if (cause instanceof AuthenticationError) {
      throw new CorruptObjectError(`${what} is damaged or was tampered with: it failed authentication`, {
        cause,
      });
    }
    throw cause;
  }
  return decodePayload(plaintext, what);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Parses UTF-8 JSON, reporting bad bytes as damage to `what`. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new CorruptObjectError(`${what} is damaged: it is not valid JSON`, { cause });
  }
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Strict base64 decoding: Buffer.from ignores bad characters, so re-encode and compare. */
export function fromBase64(text: unknown, what: string): Uint8Array {
  if (typeof text === 'string') {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.toString('base64') === text) return new Uint8Array(bytes);
  }
  throw new CorruptObjectError(`${what} is damaged: a field is not valid base64`);
}
