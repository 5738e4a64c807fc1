// Key files (docs/format.md 4.2): the master key wrapped under a password, plus holder metadata under the master key.

import { AuthenticationError, deriveKey, type KdfParams, open } from '../crypto/index.js';
import { CorruptObjectError } from '../errors.js';
import { AD } from './format.js';
import { decodeMasterKey, encodeMasterKey, type MasterKey } from './master-key.js';
import { passwordBytes } from './password.js';
import { decodePayload } from './compression.js';
import { isRecord } from './config.js';
import { fromBase64, jsonBytes, openPayload, parseJson, sealPayload, toBase64 } from './sealed.js';

export interface KeyMeta {
  readonly repository: string;
  readonly name: string;
  readonly role: string;
  readonly host: string;
  readonly user: string;
  readonly created: string;
}

/** A parsed key file: what can be read without any password. */
export interface KeyFileEnvelope {
  readonly kdf: KdfParams;
  readonly wrapped: Uint8Array;
  readonly meta: Uint8Array;
}

export interface KeyFileNonces {
  readonly wrap: Uint8Array;
  readonly meta: Uint8Array;
}

export async function createKeyFile(
  master: MasterKey,
  meta: KeyMeta,
  password: string,
  kdf: KdfParams,
  nonces?: KeyFileNonces,
): Promise<Uint8Array> {
  const wrappingKey = await deriveKey(passwordBytes(password), kdf);
  const wrapped = sealPayload(wrappingKey, AD.keyWrap, encodeMasterKey(master), { nonce: nonces?.wrap });
  const metaBox = sealPayload(master.encryption, AD.keyMeta, jsonBytes(meta), { nonce: nonces?.meta });
  return jsonBytes({
    format: 'coffer-key',
    version: 1,
    kdf: {
      algorithm: kdf.algorithm,
      memoryKiB: kdf.memoryKiB,
      passes: kdf.passes,
      parallelism: kdf.parallelism,
      salt: toBase64(kdf.salt),
    },
    wrapped: toBase64(wrapped),
    meta: toBase64(metaBox),
  });
}

/** Parses the plaintext part of a key file; `key` (its storage key) names it in messages. */
export function parseKeyFile(bytes: Uint8Array, key: string): KeyFileEnvelope {
  const what = `key file ${key}`;
  const v = parseJson(bytes, what);
  if (!isRecord(v) || v.format !== 'coffer-key' || v.version !== 1 || !isRecord(v.kdf)) {
    throw new CorruptObjectError(`${what} is damaged or is not a coffer key file of format version 1`);
  }
  const { algorithm, memoryKiB, passes, parallelism } = v.kdf;
  if (
    algorithm !== 'argon2id' ||
    parallelism !== 1 ||
    !isIntIn(memoryKiB, 8, 4 * 1024 * 1024) ||
    !isIntIn(passes, 1, 1000)
  ) {
    throw new CorruptObjectError(`${what} is damaged: its key derivation parameters are not valid`);
  }
  const salt = fromBase64(v.kdf.salt, what);
  if (salt.length !== 16) throw new CorruptObjectError(`${what} is damaged: its salt is not 16 bytes`);
  return {
    kdf: { algorithm, memoryKiB, passes, parallelism, salt },
    wrapped: fromBase64(v.wrapped, what),
    meta: fromBase64(v.meta, what),
  };
}

/** The master key if `password` opens this key file, otherwise undefined. */
export async function unwrapMasterKey(
  envelope: KeyFileEnvelope,
  password: string,
): Promise<MasterKey | undefined> {
  const wrappingKey = await deriveKey(passwordBytes(password), envelope.kdf);
  let plaintext: Uint8Array;
  try {
    plaintext = open(wrappingKey, envelope.wrapped, AD.keyWrap);
  } catch (err) {
    if (err instanceof AuthenticationError) return undefined;
    throw err;
  }
  return decodeMasterKey(decodePayload(plaintext, 'the wrapped master key'));
}

export function readKeyMeta(envelope: KeyFileEnvelope, master: MasterKey, key: string): KeyMeta {
  const what = `key file ${key}`;
  const v = parseJson(
    openPayload(master.encryption, AD.keyMeta, envelope.meta, `the metadata of ${what}`),
    what,
  );
  if (
    !isRecord(v) ||
    typeof v.repository !== 'string' ||
    typeof v.name !== 'string' ||
    typeof v.created !== 'string'
  ) {
    throw new CorruptObjectError(`${what} is damaged: its metadata is incomplete`);
  }
  return {
    repository: v.repository,
    name: v.name,
    role: typeof v.role === 'string' ? v.role : '',
    host: typeof v.host === 'string' ? v.host : '',
    user: typeof v.user === 'string' ? v.user : '',
    created: v.created,
  };
}

function isIntIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}
