// Constants of repository format version 1 (docs/format.md): versions, object keys, associated data.

export const FORMAT_VERSION = 1;

export type BlobType = 'data' | 'tree';

/** Kinds of content-addressed objects and the folder each lives in. */
export type ObjectKind = 'key' | 'pack' | 'index' | 'snapshot' | 'lock' | 'drill' | 'audit';

const FOLDERS: Readonly<Record<ObjectKind, string>> = {
  key: 'keys',
  pack: 'data',
  index: 'index',
  snapshot: 'snapshots',
  lock: 'locks',
  drill: 'drills',
  audit: 'audit',
};

export const CONFIG_KEY = 'config';

export function folderOf(kind: ObjectKind): string {
  return FOLDERS[kind];
}

/** The storage key of an object: packs are fanned out by the first two hex digits of their id. */
export function objectKey(kind: ObjectKind, id: string): string {
  return kind === 'pack' ? `data/${id.slice(0, 2)}/${id}` : `${FOLDERS[kind]}/${id}`;
}

/** The id part of a storage key, or undefined for keys that are not objects of that kind. */
export function idFromKey(kind: ObjectKind, key: string): string | undefined {
  const id = key.slice(key.lastIndexOf('/') + 1);
  if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
  return key === objectKey(kind, id) ? id : undefined;
}

/** Associated data for each kind of box (docs/format.md 3.2). */
export const AD = {
  config: ascii('coffer/v1/config'),
  keyWrap: ascii('coffer/v1/key-wrap'),
  keyMeta: ascii('coffer/v1/key-meta'),
  packHeader: ascii('coffer/v1/pack-header'),
  index: ascii('coffer/v1/index'),
  snapshot: ascii('coffer/v1/snapshot'),
  lock: ascii('coffer/v1/lock'),
  drill: ascii('coffer/v1/drill'),
  audit: ascii('coffer/v1/audit'),
  blob: (type: BlobType, idHex: string): Uint8Array => ascii(`coffer/v1/blob/${type}/${idHex}`),
} as const;

function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
