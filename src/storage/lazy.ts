// A storage whose backend module is loaded on first use: the AWS SDK costs ~100 ms and ~20 MiB to load,
// which a command on a local repository should never pay.

import type {
  CreateOptions,
  GetOptions,
  ListEntry,
  ObjectLock,
  PutOptions,
  SignalOption,
  Storage,
} from './storage.js';

export class LazyStorage implements Storage {
  readonly location: string;
  readonly #load: () => Promise<Storage>;
  #backend: Promise<Storage> | undefined;

  constructor(location: string, load: () => Promise<Storage>) {
    this.location = location;
    this.#load = load;
  }

  /** Forwarded to the backend once loaded; a backend without Object Lock reports it as not enabled. */
  readonly objectLock: ObjectLock = {
    enabled: async (opts) => (await this.#get()).objectLock?.enabled(opts) ?? false,
    retention: async (key, opts) => (await this.#lock()).retention(key, opts),
    extend: async (key, retention, opts) => (await this.#lock()).extend(key, retention, opts),
  };

  async #lock(): Promise<ObjectLock> {
    const lock = (await this.#get()).objectLock;
    if (!lock) throw new TypeError(`${this.location} has no Object Lock`);
    return lock;
  }

  #get(): Promise<Storage> {
    this.#backend ??= this.#load();
    return this.#backend;
  }

  async get(key: string, opts?: GetOptions): Promise<Uint8Array> {
    return (await this.#get()).get(key, opts);
  }

  async put(key: string, body: Uint8Array, opts?: PutOptions): Promise<void> {
    return (await this.#get()).put(key, body, opts);
  }

  async *list(prefix: string, opts?: SignalOption): AsyncIterable<ListEntry> {
    yield* (await this.#get()).list(prefix, opts);
  }

  async stat(key: string, opts?: SignalOption): Promise<{ size: number } | undefined> {
    return (await this.#get()).stat(key, opts);
  }

  async delete(key: string, opts?: SignalOption): Promise<void> {
    return (await this.#get()).delete(key, opts);
  }

  async create(opts?: CreateOptions): Promise<void> {
    const backend = await this.#get();
    await backend.create?.(opts);
  }
}
