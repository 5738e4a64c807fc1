// The repository's index in memory: blob id -> where it is stored, loaded from every index file.

import type { BlobType } from './format.js';
import { decodeIndex, type IndexFile } from './index-file.js';
import { listObjectIds, loadObject, type ObjectContext } from './objects.js';

export interface BlobLocation {
  readonly type: BlobType;
  readonly packId: string;
  readonly offset: number;
  readonly length: number;
  readonly rawLength: number;
}

/**
 * Blob locations keyed by blob id. Pack ids are interned in an array so each entry costs a small
 * object and a number rather than another 64-character string.
 */
export class MasterIndex {
  readonly #packIds: string[] = [];
  readonly #packNumbers = new Map<string, number>();
  readonly #blobs = new Map<string, { t: number; p: number; o: number; l: number; r: number }>();
  /** Index files this one was built from. */
  readonly files = new Set<string>();

  add(file: IndexFile, fileId?: string): void {
    if (fileId) this.files.add(fileId);
    for (const pack of file.packs) {
      let p = this.#packNumbers.get(pack.id);
      if (p === undefined) {
        p = this.#packIds.push(pack.id) - 1;
        this.#packNumbers.set(pack.id, p);
      }
      for (const b of pack.blobs) {
        if (!this.#blobs.has(b.id)) {
          this.#blobs.set(b.id, {
            t: b.type === 'data' ? 0 : 1,
            p,
            o: b.offset,
            l: b.length,
            r: b.rawLength,
          });
        }
      }
    }
  }

  has(id: string): boolean {
    return this.#blobs.has(id);
  }

  lookup(id: string): BlobLocation | undefined {
    const e = this.#blobs.get(id);
    if (!e) return undefined;
    return {
      type: e.t === 0 ? 'data' : 'tree',
      packId: this.#packIds[e.p]!,
      offset: e.o,
      length: e.l,
      rawLength: e.r,
    };
  }

  hasPack(packId: string): boolean {
    return this.#packNumbers.has(packId);
  }

  get blobCount(): number {
    return this.#blobs.size;
  }

  get packCount(): number {
    return this.#packIds.length;
  }

  packIds(): readonly string[] {
    return this.#packIds;
  }
}

/** Loads every index file into a MasterIndex. */
export async function loadMasterIndex(
  ctx: ObjectContext,
  opts: { signal?: AbortSignal } = {},
): Promise<MasterIndex> {
  const index = new MasterIndex();
  const ids = await listObjectIds(ctx.storage, 'index', opts);
  const files = await mapLimit(ids, 8, async (id) => ({
    id,
    file: decodeIndex(await loadObject(ctx, 'index', id, opts), `index/${id}`),
  }));
  for (const { id, file } of files) index.add(file, id);
  return index;
}

/** Runs `fn` over items with at most `limit` at once, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
