// The repository's index in memory: blob id -> where it is stored, loaded from every index file.

import type { BlobType } from './format.js';
import { IdTable } from './id-table.js';
import { type IndexedBlob, type IndexFile, scanIndex } from './index-file.js';
import { listObjectIds, loadObject, type ObjectContext } from './objects.js';

export interface BlobLocation {
  readonly type: BlobType;
  readonly packId: string;
  readonly offset: number;
  readonly length: number;
  readonly rawLength: number;
}

/**
 * Every entry of every index file, in columns: ids in an {@link IdTable} (32 bytes each, hashed), the
 * rest in typed arrays, pack ids interned. About 70 bytes an entry, so a repository of a million blobs
 * fits in some 70 MB (prune must stay under 500 MB; objects and strings per entry cost 300 or more).
 * A blob listed more than once (two backups stored it at the same time) is found at its first entry;
 * each pack keeps the entries of its first listing, duplicates included, for writing a new index.
 */
export class MasterIndex {
  readonly #ids = new IdTable();
  #type = new Uint8Array(0);
  #pack = new Uint32Array(0);
  #offset = new Uint32Array(0);
  #length = new Uint32Array(0);
  #rawLength = new Uint32Array(0);
  readonly #packIds: string[] = [];
  readonly #packNumbers = new Map<string, number>();
  /** Per pack number: its first entry and how many entries its listing has. */
  readonly #packStart: number[] = [];
  readonly #packEntries: number[] = [];
  /** Index files this one was built from. */
  readonly files = new Set<string>();

  add(file: IndexFile, fileId?: string): void {
    if (fileId) this.files.add(fileId);
    for (const pack of file.packs) {
      if (!this.#startPack(pack.id, pack.blobs.length)) continue;
      for (const b of pack.blobs)
        this.#addEntry(this.#ids.push(b.id), b.type, b.offset, b.length, b.rawLength);
    }
  }

  /** Adds an index file from its bytes, without decoding it into objects first. */
  addEncoded(bytes: Uint8Array, what: string, fileId?: string): void {
    if (fileId) this.files.add(fileId);
    scanIndex(bytes, what, {
      pack: (id, count) => this.#startPack(id, count),
      blob: (type, id, offset, length, rawLength) =>
        this.#addEntry(this.#ids.pushBytes(id), type, offset, length, rawLength),
    });
  }

  has(id: string): boolean {
    return this.#ids.find(id) >= 0;
  }

  lookup(id: string): BlobLocation | undefined {
    const n = this.#ids.find(id);
    return n < 0 ? undefined : this.#location(n);
  }

  /** A number for the blob, the same whichever pack lists it, below {@link entryCount}; -1 if unknown. */
  blobNumber(id: string): number {
    return this.#ids.find(id);
  }

  hasPack(packId: string): boolean {
    return this.#packNumbers.has(packId);
  }

  /** The blobs a pack's index entry lists (built on demand: one small object each). */
  packBlobs(packId: string): IndexedBlob[] {
    const p = this.#packNumbers.get(packId);
    if (p === undefined) return [];
    const out: IndexedBlob[] = [];
    for (let n = this.#packStart[p]!, end = n + this.#packEntries[p]!; n < end; n++) {
      out.push({
        type: this.#type[n] === 0 ? 'data' : 'tree',
        id: this.#ids.hex(n),
        offset: this.#offset[n]!,
        length: this.#length[n]!,
        rawLength: this.#rawLength[n]!,
      });
    }
    return out;
  }

  /** Distinct blobs. */
  get blobCount(): number {
    return this.#ids.indexed;
  }

  /** Entries, a blob listed in two packs counting twice. */
  get entryCount(): number {
    return this.#ids.count;
  }

  get packCount(): number {
    return this.#packIds.length;
  }

  packIds(): readonly string[] {
    return this.#packIds;
  }

  /** Registers a pack; false when it is listed already (a later listing of a pack adds nothing). */
  #startPack(id: string, entries: number): boolean {
    if (this.#packNumbers.has(id)) return false;
    this.#packNumbers.set(id, this.#packIds.push(id) - 1);
    this.#packStart.push(this.#ids.count);
    this.#packEntries.push(entries);
    return true;
  }

  #addEntry(n: number, type: BlobType, offset: number, length: number, rawLength: number): void {
    if (n >= this.#type.length) this.#grow(Math.max(1024, this.#type.length * 2));
    this.#type[n] = type === 'data' ? 0 : 1;
    this.#pack[n] = this.#packIds.length - 1;
    this.#offset[n] = offset;
    this.#length[n] = length;
    this.#rawLength[n] = rawLength;
    this.#ids.index(n);
  }

  #location(n: number): BlobLocation {
    return {
      type: this.#type[n] === 0 ? 'data' : 'tree',
      packId: this.#packIds[this.#pack[n]!]!,
      offset: this.#offset[n]!,
      length: this.#length[n]!,
      rawLength: this.#rawLength[n]!,
    };
  }

  #grow(capacity: number): void {
    const grown = <T extends Uint8Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.#type = grown(this.#type, (n) => new Uint8Array(n));
    this.#pack = grown(this.#pack, (n) => new Uint32Array(n));
    this.#offset = grown(this.#offset, (n) => new Uint32Array(n));
    this.#length = grown(this.#length, (n) => new Uint32Array(n));
    this.#rawLength = grown(this.#rawLength, (n) => new Uint32Array(n));
  }
}

/** Loads every index file into a MasterIndex, a few files at a time, in the order they are listed. */
export async function loadMasterIndex(
  ctx: ObjectContext,
  opts: { signal?: AbortSignal } = {},
): Promise<MasterIndex> {
  const index = new MasterIndex();
  const ids = await listObjectIds(ctx.storage, 'index', opts);
  for (let i = 0; i < ids.length; i += 32) {
    const batch = ids.slice(i, i + 32);
    const files = await mapLimit(batch, 8, (id) => loadObject(ctx, 'index', id, opts));
    batch.forEach((id, j) => index.addEncoded(files[j]!, `index/${id}`, id));
  }
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
