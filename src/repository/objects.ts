// Whole encrypted objects (index files, snapshots, locks, drill and audit records): sealed, named by SHA-256, verified on read.

import { UsageError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import type { Compression } from './compression.js';
import { AD, folderOf, idFromKey, objectKey } from './format.js';
import type { MasterKey } from './master-key.js';
import { objectIdOf, verifyObjectId } from './object-id.js';
import { openPayload, sealPayload } from './sealed.js';

export type SealedKind = 'index' | 'snapshot' | 'lock' | 'drill' | 'audit';

const AD_OF: Readonly<Record<SealedKind, Uint8Array>> = {
  index: AD.index,
  snapshot: AD.snapshot,
  lock: AD.lock,
  drill: AD.drill,
  audit: AD.audit,
};

export interface ObjectContext {
  readonly storage: Storage;
  readonly master: MasterKey;
}

/** Seals and stores a payload; returns its id. Writing the same object twice is harmless. */
export async function saveObject(
  ctx: ObjectContext,
  kind: SealedKind,
  payload: Uint8Array,
  opts: { compression?: Compression; signal?: AbortSignal } = {},
): Promise<string> {
  const box = sealPayload(ctx.master.encryption, AD_OF[kind], payload, {
    compression: opts.compression ?? 'zstd',
  });
  const id = objectIdOf(box);
  await ctx.storage.put(objectKey(kind, id), box, opts.signal ? { signal: opts.signal } : {});
  return id;
}

/** Loads, verifies (name and authentication) and opens an object. */
export async function loadObject(
  ctx: ObjectContext,
  kind: SealedKind,
  id: string,
  opts: { signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  const key = objectKey(kind, id);
  const box = await ctx.storage.get(key, opts);
  verifyObjectId(key, id, box);
  return openPayload(ctx.master.encryption, AD_OF[kind], box, key);
}

/** Ids of all objects of a kind (storage keys that are not well-formed ids are ignored). */
export async function listObjectIds(
  storage: Storage,
  kind: SealedKind,
  opts: { signal?: AbortSignal } = {},
): Promise<string[]> {
  const ids: string[] = [];
  for await (const { key } of storage.list(`${folderOf(kind)}/`, opts)) {
    const id = idFromKey(kind, key);
    if (id) ids.push(id);
  }
  return ids;
}

/** Resolves an id prefix among the objects of a kind. */
export async function resolveObjectId(storage: Storage, kind: SealedKind, prefix: string): Promise<string> {
  const matches = (await listObjectIds(storage, kind)).filter((id) => id.startsWith(prefix.toLowerCase()));
  if (matches.length === 1) return matches[0]!;
  throw new UsageError(
    matches.length === 0
      ? `no ${kind} with an id starting ${prefix}`
      : `${prefix} matches ${matches.length} ${kind} objects; give more of the id`,
  );
}
