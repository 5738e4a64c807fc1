// Creating and opening a repository: the config is the commit point, key files open the master key.

import os from 'node:os';
import { newKdfParams } from '../crypto/index.js';
import {
  CorruptObjectError,
  RepositoryExistsError,
  RepositoryNotFoundError,
  WrongPasswordError,
} from '../errors.js';
import { AlreadyExistsError, NotFoundError, type Storage } from '../storage/storage.js';
import { type Compression } from './compression.js';
import {
  decodeConfig,
  encodeConfig,
  type LockPolicy,
  newConfig,
  readConfigEnvelope,
  type RepositoryConfig,
} from './config.js';
import { CONFIG_KEY, folderOf, idFromKey, objectKey } from './format.js';
import {
  createKeyFile,
  type KeyFileEnvelope,
  type KeyMeta,
  parseKeyFile,
  readKeyMeta,
  unwrapMasterKey,
} from './key-file.js';
import { generateMasterKey, type MasterKey } from './master-key.js';
import { ADMIN_ROLE } from './append-only.js';
import { objectIdOf, verifyObjectId } from './object-id.js';
import { prepareObjectLock, withRetention } from './object-lock.js';
import { looksLikeRecoveryKey, normalizeRecoveryKey } from './recovery-key.js';

export interface Repository {
  readonly storage: Storage;
  readonly config: RepositoryConfig;
  readonly master: MasterKey;
  /** The id of the key file the repository was opened with. */
  readonly keyId: string;
  /** The role recorded in that key file (`admin` may remove things from an append-only repository). */
  readonly role?: string;
  /** The holder name recorded in that key file ("clerk", "recovery"); undefined when it cannot be read. */
  readonly keyName?: string;
  /** Problems noticed while opening that did not stop it (a damaged key file, say). */
  readonly warnings: readonly string[];
}

/** Argon2id cost of a new key; the salt is drawn fresh each time. */
export interface KdfCost {
  readonly memoryKiB: number;
  readonly passes: number;
}

export interface KeyHolder {
  readonly name: string;
  readonly role?: string;
  readonly host?: string;
  readonly user?: string;
}

export interface InitOptions {
  readonly password: string;
  readonly holder?: KeyHolder;
  readonly kdf?: KdfCost;
  readonly compression?: Compression;
  /** Retain every object (but locks) for this long after it is written: S3 Object Lock. */
  readonly objectLock?: LockPolicy;
  /** Removals need an admin key; the first key gets the admin role. */
  readonly appendOnly?: boolean;
  readonly now?: Date;
}

/** Writes a new repository: the first key file, then the config, which makes it exist. */
export async function initRepository(storage: Storage, opts: InitOptions): Promise<Repository> {
  if (await storage.stat(CONFIG_KEY)) {
    throw new RepositoryExistsError(
      `there is already a coffer repository at ${storage.location}; nothing was changed`,
    );
  }
  if (opts.objectLock) await prepareObjectLock(storage);
  else await storage.create?.();
  const now = opts.now ?? new Date();
  const config: RepositoryConfig = {
    ...newConfig(now),
    ...(opts.compression ? { compression: opts.compression } : {}),
    ...(opts.objectLock ? { objectLock: opts.objectLock } : {}),
    ...(opts.appendOnly ? { appendOnly: true } : {}),
  };
  const warnings: string[] = [];
  const store = withRetention(storage, config, warnings);
  const given = opts.holder ?? { name: defaultKeyName() };
  const holder = opts.appendOnly ? { ...given, role: ADMIN_ROLE } : given;
  const master = generateMasterKey();
  const keyId = await writeKeyFile(store, master, config.id, holder, opts.password, {
    kdf: opts.kdf,
    now,
  });
  // ifAbsent makes two racing inits safe: the loser's key file is an orphan that opening reports and skips.
  const configBytes = encodeConfig(config, master.encryption);
  await putOnce(store, CONFIG_KEY, configBytes, () => {
    throw new RepositoryExistsError(
      `another coffer init created a repository at ${storage.location} at the same time`,
    );
  });
  return { storage: store, config, master, keyId, role: holder.role ?? '', keyName: holder.name, warnings };
}

/** Writes a key file wrapping `master` under `password`; returns its id. */
export async function writeKeyFile(
  storage: Storage,
  master: MasterKey,
  repositoryId: string,
  holder: KeyHolder,
  password: string,
  opts: { kdf?: KdfCost | undefined; now?: Date; created?: string } = {},
): Promise<string> {
  const meta: KeyMeta = {
    repository: repositoryId,
    name: holder.name,
    role: holder.role ?? '',
    host: holder.host ?? os.hostname(),
    user: holder.user ?? currentUser(),
    created: opts.created ?? (opts.now ?? new Date()).toISOString(),
  };
  const bytes = await createKeyFile(master, meta, password, newKdfParams(opts.kdf));
  const id = objectIdOf(bytes);
  // The name is the content's hash, so an existing object under it is this very key file.
  await putOnce(storage, objectKey('key', id), bytes, () => undefined);
  return id;
}

/**
 * A create-once put that tolerates its own retried success: when a first attempt landed but its reply was
 * lost, the retry finds the object; if the bytes are ours, that is success, otherwise `onOther` decides.
 */
async function putOnce(storage: Storage, key: string, bytes: Uint8Array, onOther: () => void): Promise<void> {
  try {
    await storage.put(key, bytes, { ifAbsent: true });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const existing = await storage.get(key);
    if (Buffer.compare(existing, bytes) !== 0) onOther();
  }
}

/** Reads the config envelope, turning a missing object into the "no repository here" error. */
/** The config's plaintext envelope: its format version and the encrypted payload. */
export type ConfigEnvelope = { version: number; box: Uint8Array };

export async function readConfigObject(storage: Storage): Promise<ConfigEnvelope> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.get(CONFIG_KEY);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new RepositoryNotFoundError(
        `there is no coffer repository at ${storage.location}: check the location (-r/--repo or COFFER_REPOSITORY), or create one with "coffer init"`,
      );
    }
    throw err;
  }
  return readConfigEnvelope(bytes);
}

export interface StoredKeyFile {
  readonly id: string;
  readonly envelope?: KeyFileEnvelope;
  /** Why the key file could not be read, when it is damaged. */
  readonly damage?: string;
}

/** Every key file in the repository, damaged ones with the reason instead of an envelope. */
export async function loadKeyFiles(storage: Storage): Promise<StoredKeyFile[]> {
  const out: StoredKeyFile[] = [];
  for await (const { key } of storage.list(`${folderOf('key')}/`)) {
    const id = idFromKey('key', key);
    if (!id) continue;
    try {
      const bytes = await storage.get(key);
      verifyObjectId(key, id, bytes);
      out.push({ id, envelope: parseKeyFile(bytes, key) });
    } catch (err) {
      if (!(err instanceof CorruptObjectError)) throw err;
      out.push({ id, damage: err.message });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Opens the repository with a password (or a recovery key), trying each key file in turn. */
export async function openRepository(
  storage: Storage,
  password: string,
  opts: { config?: ConfigEnvelope } = {},
): Promise<Repository> {
  // Callers that checked for the repository before asking for a password pass the config they read.
  const envelope = opts.config ?? (await readConfigObject(storage));
  const keyFiles = await loadKeyFiles(storage);
  const warnings = keyFiles.flatMap((k) => (k.damage ? [k.damage] : []));
  if (keyFiles.length === 0) {
    throw new CorruptObjectError(
      `the repository at ${storage.location} has no key files, so nothing can open it`,
    );
  }
  const candidates = passwordCandidates(password);
  for (const keyFile of keyFiles) {
    if (!keyFile.envelope) continue;
    for (const candidate of candidates) {
      const master = await unwrapMasterKey(keyFile.envelope, candidate);
      if (!master) continue;
      let config: RepositoryConfig;
      try {
        config = decodeConfig(envelope, master.encryption);
      } catch (err) {
        if (!(err instanceof CorruptObjectError)) throw err;
        warnings.push(
          `key file keys/${keyFile.id} opens with this password but belongs to another repository; it was skipped`,
        );
        break;
      }
      const meta = checkKeyMeta(keyFile, master, config, warnings);
      const store = withRetention(storage, config, warnings);
      return {
        storage: store,
        config,
        master,
        keyId: keyFile.id,
        role: meta?.role ?? '',
        ...(meta ? { keyName: meta.name } : {}),
        warnings,
      };
    }
  }
  throw new WrongPasswordError(wrongPasswordMessage(password, warnings));
}

/** Notes metadata problems in `warnings`; returns the key's metadata (undefined when unreadable). */
function checkKeyMeta(
  keyFile: StoredKeyFile,
  master: MasterKey,
  config: RepositoryConfig,
  warnings: string[],
): KeyMeta | undefined {
  try {
    const meta = readKeyMeta(keyFile.envelope!, master, `keys/${keyFile.id}`);
    if (meta.repository !== config.id) {
      warnings.push(`key file keys/${keyFile.id} names another repository id in its metadata`);
    }
    return meta;
  } catch (err) {
    if (!(err instanceof CorruptObjectError)) throw err;
    warnings.push(err.message);
    return undefined;
  }
}

/** A typed recovery key is tried in its normalized form too, so separators and case do not matter. */
function passwordCandidates(password: string): string[] {
  if (!looksLikeRecoveryKey(password)) return [password];
  try {
    const normalized = normalizeRecoveryKey(password);
    return normalized === password ? [password] : [password, normalized];
  } catch {
    return [password];
  }
}

function wrongPasswordMessage(password: string, warnings: readonly string[]): string {
  let message = 'wrong password: no key in this repository opens with it';
  if (looksLikeRecoveryKey(password)) {
    try {
      normalizeRecoveryKey(password);
    } catch (err) {
      message += ` (if you typed a recovery key: ${(err as Error).message})`;
    }
  }
  return warnings.length > 0 ? `${message}\n${warnings.map((w) => `  note: ${w}`).join('\n')}` : message;
}

export function defaultKeyName(): string {
  return currentUser() || 'default';
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}
