// Reading blobs: look up the index, fetch the box with one ranged read, open it, check its id.

import { CorruptObjectError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import { openBlob, openBlobAsync } from './blob.js';
import { type BlobType, objectKey } from './format.js';
import type { MasterIndex } from './master-index.js';
import type { MasterKey } from './master-key.js';

export interface BlobReader {
  readBlob(type: BlobType, id: string, opts?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

export class BlobNotFoundError extends CorruptObjectError {
  override readonly code = 'COFFER_E_CORRUPT';
  readonly blobId: string;
  constructor(type: BlobType, id: string) {
    super(`${type} blob ${id.slice(0, 12)} is not in the index: the repository is missing data`);
    this.blobId = id;
  }
}

export class RepositoryBlobReader implements BlobReader {
  readonly #storage: Storage;
  readonly #master: MasterKey;
  readonly #index: MasterIndex;

  constructor(storage: Storage, master: MasterKey, index: MasterIndex) {
    this.#storage = storage;
    this.#master = master;
    this.#index = index;
  }

  async readBlob(type: BlobType, id: string, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const at = this.#index.lookup(id);
    if (!at || at.type !== type) throw new BlobNotFoundError(type, id);
    const box = await this.#storage.get(objectKey('pack', at.packId), {
      range: { offset: at.offset, length: at.length },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (box.length !== at.length) {
      throw new CorruptObjectError(
        `pack ${at.packId.slice(0, 12)} is damaged: it is shorter than its index says`,
      );
    }
    // Trees are small: decompressing them here beats a round trip to the thread pool.
    return type === 'tree'
      ? openBlob(this.#master, type, id, box)
      : openBlobAsync(this.#master, type, id, box, at.rawLength);
  }
}
