// A set of blob ids (hex) for millions of them, such as the blobs the snapshots use: 32 bytes and a
// hash slot or two per id rather than a string and a Set entry.

import { IdTable } from './id-table.js';
import type { MasterIndex } from './master-index.js';

export interface ReadonlyBlobIdSet {
  has(id: string): boolean;
  readonly size: number;
}

export interface BlobIdSetLike extends ReadonlyBlobIdSet {
  /** Adds an id; returns whether it was new. */
  add(id: string): boolean;
}

export class BlobIdSet implements BlobIdSetLike {
  readonly #table = new IdTable();

  get size(): number {
    return this.#table.indexed;
  }

  has(id: string): boolean {
    return this.#table.find(id) >= 0;
  }

  /** Adds `id` (64 hex digits); returns whether it was new. */
  add(id: string): boolean {
    if (this.has(id)) return false;
    this.#table.index(this.#table.push(id));
    return true;
  }
}

/**
 * The blobs of one MasterIndex that are in a set: a byte per index entry (a million blobs: 1 MB). Ids the
 * index does not list are never in it (adding one does nothing): for prune, what no pack holds cannot
 * be kept anyway.
 */
export class IndexedBlobSet implements BlobIdSetLike {
  readonly #index: MasterIndex;
  readonly #flags: Uint8Array;
  #size = 0;

  constructor(index: MasterIndex) {
    this.#index = index;
    this.#flags = new Uint8Array(index.entryCount);
  }

  get size(): number {
    return this.#size;
  }

  has(id: string): boolean {
    const n = this.#index.blobNumber(id);
    return n >= 0 && this.#flags[n] === 1;
  }

  /** Adds `id`; returns whether it was new (false too for an id the index does not list). */
  add(id: string): boolean {
    const n = this.#index.blobNumber(id);
    if (n < 0 || this.#flags[n] === 1) return false;
    this.#flags[n] = 1;
    this.#size++;
    return true;
  }
}
