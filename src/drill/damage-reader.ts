// A blob reader for drills that notes every blob it could not read, and the pack it lives in, so a drill
// against a damaged repository can name the damage instead of stopping at the first error. A folder
// listing (tree) that cannot be read is given back as an empty folder: the rest of the snapshot is still
// restored and verified, and the drill names the folder as damaged. It passes the inner reader's buffer
// reuse and worker threads through, so a drill restores exactly as fast as a real restore.

import { CofferError } from '../errors.js';
import {
  type BlobReader,
  type BlobType,
  encodeTree,
  type MasterIndex,
  objectKey,
  type ParallelBlobReader,
} from '../repository/index.js';
import type { DamagedObject } from './drill-result.js';

const EMPTY_TREE = encodeTree({ nodes: [] });

/** What every reader made from one drill's reader (its parallel one too) notes into. */
interface DamageLog {
  readonly objects: Map<string, DamagedObject>;
  readonly trees: Set<string>;
}

export class DamageRecordingReader implements BlobReader {
  readonly #inner: BlobReader;
  readonly #index: MasterIndex;
  readonly #log: DamageLog;

  constructor(
    inner: BlobReader,
    index: MasterIndex,
    log: DamageLog = { objects: new Map(), trees: new Set() },
  ) {
    this.#inner = inner;
    this.#index = index;
    this.#log = log;
  }

  /** Tree blobs that could not be read; the caller maps them to folder paths. */
  get damagedTrees(): ReadonlySet<string> {
    return this.#log.trees;
  }

  async readBlob(type: BlobType, id: string, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    try {
      return await this.#inner.readBlob(type, id, opts);
    } catch (err) {
      if (opts.signal?.aborted || !(err instanceof CofferError)) throw err;
      this.#note(type, id, err);
      if (type === 'tree') {
        this.#log.trees.add(id);
        return EMPTY_TREE;
      }
      throw err;
    }
  }

  release(bytes: Uint8Array): void {
    this.#inner.release?.(bytes);
  }

  parallel(): ParallelBlobReader {
    const inner = this.#inner.parallel?.();
    if (!inner) return { reader: this, close: async () => {} };
    const reader = new DamageRecordingReader(inner.reader, this.#index, this.#log);
    const writeBlobs = inner.writeBlobs?.bind(inner);
    return {
      reader,
      ...(writeBlobs
        ? {
            writeBlobs: (ids, fd, opts = {}) =>
              writeBlobs(ids, fd, {
                ...opts,
                onBlobError: (type, id, err) => {
                  if (!opts.signal?.aborted && err instanceof CofferError) this.#note(type, id, err);
                  opts.onBlobError?.(type, id, err);
                },
              }),
          }
        : {}),
      close: () => inner.close(),
    };
  }

  /** Every damaged object seen, one entry per pack (or per blob the index does not know). */
  damagedObjects(): DamagedObject[] {
    return [...this.#log.objects.values()];
  }

  #note(type: BlobType, id: string, err: Error): void {
    const at = this.#index.lookup(id);
    const key = at ? objectKey('pack', at.packId) : `${type} blob ${id}`;
    if (!this.#log.objects.has(key)) this.#log.objects.set(key, { key, message: err.message });
  }
}
