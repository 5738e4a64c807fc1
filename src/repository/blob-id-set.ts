// A set of blob ids (hex) for millions of them, such as the blobs the snapshots use: 32 bytes and a
// hash slot or two per id rather than a string and a Set entry.

import { IdTable } from './id-table.js';

export interface ReadonlyBlobIdSet {
  has(id: string): boolean;
  readonly size: number;
}

export class BlobIdSet implements ReadonlyBlobIdSet {
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
