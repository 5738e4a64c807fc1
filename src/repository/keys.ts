// Key management on an open repository: list, add, remove, change password, recovery key.

import { UsageError } from '../errors.js';
import { isAdminRole, requireAdmin } from './append-only.js';
import { readKeyMeta } from './key-file.js';
import { objectKey } from './format.js';
import { generateRecoveryKey } from './recovery-key.js';
import { type KdfCost, type KeyHolder, loadKeyFiles, type Repository, writeKeyFile } from './repository.js';

export const RECOVERY_KEY_NAME = 'recovery';

export interface KeyInfo {
  readonly id: string;
  readonly current: boolean;
  readonly name?: string;
  readonly role?: string;
  readonly host?: string;
  readonly user?: string;
  readonly created?: string;
  readonly kdf?: { readonly memoryKiB: number; readonly passes: number };
  /** Set instead of the holder fields when the key file cannot be read. */
  readonly problem?: string;
}

export async function listKeys(repo: Repository): Promise<KeyInfo[]> {
  const files = await loadKeyFiles(repo.storage);
  return files.map((file) => {
    const current = file.id === repo.keyId;
    if (!file.envelope) return { id: file.id, current, problem: file.damage };
    const kdf = { memoryKiB: file.envelope.kdf.memoryKiB, passes: file.envelope.kdf.passes };
    try {
      const meta = readKeyMeta(file.envelope, repo.master, `keys/${file.id}`);
      if (meta.repository !== repo.config.id) {
        return { id: file.id, current, kdf, problem: 'belongs to another repository' };
      }
      const { name, role, host, user, created } = meta;
      return { id: file.id, current, name, role, host, user, created, kdf };
    } catch {
      return {
        id: file.id,
        current,
        kdf,
        problem: "cannot be read with this repository's master key (another repository's key, or damaged)",
      };
    }
  });
}

export interface AddKeyOptions {
  readonly password: string;
  readonly holder: KeyHolder;
  readonly kdf?: KdfCost;
}

export async function addKey(repo: Repository, opts: AddKeyOptions): Promise<KeyInfo> {
  const name = opts.holder.name.trim();
  if (!name) throw new UsageError('a key needs a name: the person or role who will use it (--name clerk)');
  if (name === RECOVERY_KEY_NAME) {
    throw new UsageError(
      `the name "${RECOVERY_KEY_NAME}" is kept for the recovery key: use "coffer key recovery-sheet"`,
    );
  }
  // an admin key made by anyone would make append-only mean nothing
  if (isAdminRole(opts.holder.role)) requireAdmin(repo, `adding a key with the role "${opts.holder.role}"`);
  await refuseDuplicateName(repo, name);
  return addKeyUnchecked(repo, { ...opts, holder: { ...opts.holder, name } });
}

async function addKeyUnchecked(
  repo: Repository,
  opts: AddKeyOptions & { created?: string },
): Promise<KeyInfo> {
  const id = await writeKeyFile(repo.storage, repo.master, repo.config.id, opts.holder, opts.password, {
    kdf: opts.kdf,
    ...(opts.created ? { created: opts.created } : {}),
  });
  const added = (await listKeys(repo)).find((k) => k.id === id);
  return added ?? { id, current: false, name: opts.holder.name };
}

async function refuseDuplicateName(repo: Repository, name: string): Promise<void> {
  const existing = (await listKeys(repo)).find((k) => k.name === name);
  if (existing) {
    throw new UsageError(
      `a key named "${name}" already exists (${existing.id.slice(0, 8)}); choose another name, or change its password with "coffer key passwd"`,
    );
  }
}

/** Finds one key by id, id prefix or holder name. */
export async function findKey(repo: Repository, which: string): Promise<KeyInfo> {
  const keys = await listKeys(repo);
  const byId = keys.filter((k) => which.length >= 4 && k.id.startsWith(which.toLowerCase()));
  const matches = byId.length > 0 ? byId : keys.filter((k) => k.name === which);
  if (matches.length === 0) {
    throw new UsageError(`no key matches "${which}": "coffer key list" shows the ids and names`);
  }
  if (matches.length > 1) {
    throw new UsageError(
      `"${which}" matches ${matches.length} keys; give more of the id ("coffer key list")`,
    );
  }
  return matches[0]!;
}

export async function removeKey(repo: Repository, which: string): Promise<KeyInfo> {
  requireAdmin(repo, 'key remove');
  const key = await findKey(repo, which);
  if (key.current) {
    throw new UsageError(
      "that is the key you opened the repository with; open it with another key's password to remove this one",
    );
  }
  const usable = (await listKeys(repo)).filter((k) => !k.problem);
  if (!key.problem && usable.length <= 1) {
    throw new UsageError('that is the last key: removing it would lock everyone out of the repository');
  }
  await repo.storage.delete(objectKey('key', key.id));
  return key;
}

/** Re-wraps the master key under a new password for the key in use, then removes the old key file. */
export async function changePassword(repo: Repository, newPassword: string, kdf?: KdfCost): Promise<KeyInfo> {
  const current = (await listKeys(repo)).find((k) => k.current);
  const holder: KeyHolder = {
    name: current?.name ?? 'default',
    ...(current?.role !== undefined ? { role: current.role } : {}),
    ...(current?.host !== undefined ? { host: current.host } : {}),
    ...(current?.user !== undefined ? { user: current.user } : {}),
  };
  const added = await addKeyUnchecked(repo, {
    password: newPassword,
    holder,
    ...(kdf ? { kdf } : {}),
    ...(current?.created ? { created: current.created } : {}),
  });
  await repo.storage.delete(objectKey('key', repo.keyId));
  return { ...added, current: true };
}

export interface RecoveryKeyResult {
  /** The recovery key in normalized form; print it with formatRecoveryKey. */
  readonly recoveryKey: string;
  readonly key: KeyInfo;
  readonly replaced: readonly KeyInfo[];
}

/** Adds a key file named "recovery" opened by a fresh recovery key; with `replace`, removes older ones after. */
export async function createRecoveryKey(
  repo: Repository,
  opts: { replace?: boolean; kdf?: KdfCost } = {},
): Promise<RecoveryKeyResult> {
  // the recovery key counts as an admin key, so only an admin may make one
  requireAdmin(repo, 'making a recovery key');
  const existing = (await listKeys(repo)).filter((k) => k.name === RECOVERY_KEY_NAME);
  if (existing.length > 0 && !opts.replace) {
    throw new UsageError(
      `this repository already has a recovery key (created ${existing[0]!.created ?? 'earlier'}); ` +
        'use --replace to make a new one, after which the old sheet no longer opens the repository',
    );
  }
  if (existing.some((k) => k.current)) {
    throw new UsageError(
      'you opened the repository with the recovery key; open it with a password to replace the recovery key',
    );
  }
  const recoveryKey = generateRecoveryKey();
  const key = await addKeyUnchecked(repo, {
    password: recoveryKey,
    holder: { name: RECOVERY_KEY_NAME, role: 'recovery' },
    ...(opts.kdf ? { kdf: opts.kdf } : {}),
  });
  for (const old of existing) await repo.storage.delete(objectKey('key', old.id));
  return { recoveryKey, key, replaced: existing };
}
