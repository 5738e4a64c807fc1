// A storage wrapper that counts the bytes downloaded, so a check can say how much it read.

import type {
  GetOptions,
  ListEntry,
  ObjectLock,
  PutOptions,
  SignalOption,
  Storage,
} from '../storage/index.js';

export class CountingStorage implements Storage {
  readonly #inner: Storage;
  bytesRead = 0;

  constructor(inner: Storage) {
    this.#inner = inner;
    // Reading retention is a HEAD: no bytes to count, so the capability passes straight through.
    if (inner.objectLock) this.objectLock = inner.objectLock;
  }

  readonly objectLock?: ObjectLock;

  get location(): string {
    return this.#inner.location;
  }

  async get(key: string, opts?: GetOptions): Promise<Uint8Array> {
    const bytes = await this.#inner.get(key, opts);
    this.bytesRead += bytes.length;
    return bytes;
  }

  put(key: string, body: Uint8Array, opts?: PutOptions): Promise<void> {
    return this.#inner.put(key, body, opts);
  }

  list(prefix: string, opts?: SignalOption): AsyncIterable<ListEntry> {
    return this.#inner.list(prefix, opts);
  }

  stat(key: string, opts?: SignalOption): Promise<{ size: number } | undefined> {
    return this.#inner.stat(key, opts);
  }

  delete(key: string, opts?: SignalOption): Promise<void> {
    return this.#inner.delete(key, opts);
  }
}
