// Packs against the index: every indexed pack must exist with the size its entries imply; packs no index
// lists are left by interrupted backups.

import { OVERHEAD } from '../crypto/index.js';
import { idFromKey, type IndexFile } from '../repository/index.js';
import type { Storage } from '../storage/index.js';

export type IndexEntry = IndexFile['packs'][number]['blobs'][number];

/** Pack id -> every blob entry the index files give for it (the union; exact duplicates removed). */
export type PackEntries = ReadonlyMap<string, readonly IndexEntry[]>;

export function packEntriesOf(files: readonly { readonly file: IndexFile }[]): PackEntries {
  const out = new Map<string, IndexEntry[]>();
  const seen = new Set<string>();
  for (const { file } of files) {
    for (const pack of file.packs) {
      let list = out.get(pack.id);
      if (!list) out.set(pack.id, (list = []));
      for (const b of pack.blobs) {
        const key = `${pack.id}/${b.id}/${b.type}/${b.offset}/${b.length}/${b.rawLength}`;
        if (seen.has(key)) continue;
        seen.add(key);
        list.push(b);
      }
    }
  }
  return out;
}

/** Pack id -> size in bytes, from one listing of `data/`. */
export async function listStoredPacks(storage: Storage, signal?: AbortSignal): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for await (const { key, size } of storage.list('data/', signal ? { signal } : {})) {
    const id = idFromKey('pack', key);
    if (id) sizes.set(id, size);
  }
  return sizes;
}

export interface PackComparison {
  readonly missing: readonly string[];
  /** Stored packs whose size or layout differs from what their index entries imply, with the difference. */
  readonly suspicious: ReadonlyMap<string, string>;
  readonly unindexed: readonly { readonly id: string; readonly size: number }[];
}

export function comparePacks(entries: PackEntries, stored: ReadonlyMap<string, number>): PackComparison {
  const missing: string[] = [];
  const suspicious = new Map<string, string>();
  for (const [id, blobs] of entries) {
    const size = stored.get(id);
    if (size === undefined) {
      missing.push(id);
      continue;
    }
    const expected = expectedPackSize(blobs);
    if (expected === undefined) {
      suspicious.set(id, 'its index entries overlap or leave gaps');
    } else if (size < expected) {
      suspicious.set(id, `it is ${expected - size} bytes shorter than its index entries imply (truncated?)`);
    } else if (size > expected) {
      suspicious.set(id, `it is ${size - expected} bytes longer than its index entries imply`);
    }
  }
  const unindexed = [...stored]
    .filter(([id]) => !entries.has(id))
    .map(([id, size]) => ({ id, size }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { missing: missing.sort(), suspicious, unindexed };
}

/**
 * The size of the pack coffer writes for these entries: the blob boxes back to back from offset 0, an
 * uncompressed header box of 41 bytes per blob, and the 4-byte header length (docs/format.md 6).
 * Undefined when the entries are not laid out that way. A pack of another size is not necessarily
 * damaged (the format allows a compressed header, or an index listing only some of a pack's blobs),
 * so the check then reads it whole to find out.
 */
export function expectedPackSize(blobs: readonly IndexEntry[]): number | undefined {
  const sorted = [...blobs].sort((a, b) => a.offset - b.offset);
  let end = 0;
  for (const b of sorted) {
    if (b.offset !== end) return undefined;
    end += b.length;
  }
  return end + OVERHEAD + 1 + 41 * sorted.length + 4;
}
