// The repository config object (docs/format.md 5): a versioned envelope around an encrypted payload.

import { randomBytes, toHex } from '../crypto/index.js';
import { CorruptObjectError, UnsupportedFormatError } from '../errors.js';
import type { Compression } from './compression.js';
import { AD, FORMAT_VERSION } from './format.js';
import {
  fromBase64,
  jsonBytes,
  openPayload,
  parseJson,
  type SealOptions,
  sealPayload,
  toBase64,
} from './sealed.js';

export interface ChunkerParams {
  readonly algorithm: 'fastcdc-gear-v1';
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
}

export interface RepositoryConfig {
  readonly version: number;
  readonly id: string;
  readonly created: string;
  readonly chunker: ChunkerParams;
  readonly packSize: number;
  readonly compression: Compression;
  /** Every object but locks is written with this retention (S3 Object Lock); absent: no retention. */
  readonly objectLock?: LockPolicy;
  /** forget, prune, rewrite and key removal need a key with the admin role (a client-side safeguard). */
  readonly appendOnly?: boolean;
}

/** The Object Lock a repository asks of its storage: each object is retained `days` after it is written. */
export interface LockPolicy {
  readonly mode: 'governance' | 'compliance';
  readonly days: number;
}

/** The longest retention coffer accepts: 100 years (S3 itself has no lower limit worth guarding). */
export const MAX_LOCK_DAYS = 36500;

export const DEFAULT_CHUNKER: ChunkerParams = {
  algorithm: 'fastcdc-gear-v1',
  minSize: 256 * 1024,
  avgSize: 1024 * 1024,
  maxSize: 4 * 1024 * 1024,
};

export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;

export function newConfig(now: Date = new Date()): RepositoryConfig {
  return {
    version: FORMAT_VERSION,
    id: toHex(randomBytes(32)),
    created: now.toISOString(),
    chunker: DEFAULT_CHUNKER,
    packSize: DEFAULT_PACK_SIZE,
    compression: 'zstd',
  };
}

export function encodeConfig(
  config: RepositoryConfig,
  encryptionKey: Uint8Array,
  opts: SealOptions = {},
): Uint8Array {
  const box = sealPayload(encryptionKey, AD.config, jsonBytes(config), opts);
  return jsonBytes({ format: 'coffer-repository', version: config.version, data: toBase64(box) });
}

/** Reads the plaintext envelope: refuses other formats and newer versions before any key is tried. */
export function readConfigEnvelope(bytes: Uint8Array): { version: number; box: Uint8Array } {
  const what = 'the repository config';
  const env = parseJson(bytes, what);
  if (!isRecord(env) || env.format !== 'coffer-repository' || typeof env.version !== 'number') {
    throw new CorruptObjectError(`${what} is damaged or is not a coffer repository config`);
  }
  if (env.version > FORMAT_VERSION) {
    throw new UnsupportedFormatError(
      `this repository uses format version ${env.version}, but this coffer reads only version ${FORMAT_VERSION}: upgrade coffer to open it`,
    );
  }
  if (env.version < 1 || !Number.isInteger(env.version)) {
    throw new CorruptObjectError(`${what} is damaged: format version ${String(env.version)} is not valid`);
  }
  return { version: env.version, box: fromBase64(env.data, what) };
}

/** Opens the config payload; throws CorruptObjectError when the key does not fit (not this repository). */
export function decodeConfig(
  envelope: { version: number; box: Uint8Array },
  encryptionKey: Uint8Array,
): RepositoryConfig {
  const what = 'the repository config';
  const value = parseJson(openPayload(encryptionKey, AD.config, envelope.box, what), what);
  if (!isConfig(value) || value.version !== envelope.version) {
    throw new CorruptObjectError(`${what} is damaged: its fields are missing or inconsistent`);
  }
  return value;
}

function isConfig(v: unknown): v is RepositoryConfig {
  return (
    isRecord(v) &&
    typeof v.version === 'number' &&
    typeof v.id === 'string' &&
    /^[0-9a-f]{64}$/.test(v.id) &&
    typeof v.created === 'string' &&
    isRecord(v.chunker) &&
    typeof v.packSize === 'number' &&
    (v.compression === 'zstd' || v.compression === 'none') &&
    (v.objectLock === undefined || isLockPolicy(v.objectLock)) &&
    (v.appendOnly === undefined || typeof v.appendOnly === 'boolean')
  );
}

export function isLockPolicy(v: unknown): v is LockPolicy {
  return (
    isRecord(v) &&
    (v.mode === 'governance' || v.mode === 'compliance') &&
    typeof v.days === 'number' &&
    Number.isInteger(v.days) &&
    v.days >= 1 &&
    v.days <= MAX_LOCK_DAYS
  );
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
