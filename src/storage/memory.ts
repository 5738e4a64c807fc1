// In-memory storage for tests: the reference behaviour of the Storage contract, with no I/O.

import {
  AlreadyExistsError,
  NotFoundError,
  assertValidKey,
  assertValidPrefix,
  assertValidRange,
  rangeNotSatisfiable,
  type GetOptions,
  type ListEntry,
  type PutOptions,
  type SignalOption,
  type Storage,
} from './storage.js';

/**
 * Objects live in a Map. Bytes are copied on the way in and out, so neither the caller who wrote an
 * object nor one who read it can change what is stored (a real backend would not let them either).
 */
export class MemoryStorage implements Storage {
  readonly location: string;
  readonly #objects = new Map<string, Uint8Array>();

  constructor(name = 'memory:') {
    this.location = name;
  }

  async get(key: string, opts: GetOptions = {}): Promise<Uint8Array> {
    opts.signal?.throwIfAborted();
    assertValidKey(key);
    if (opts.range) assertValidRange(opts.range);
    const stored = this.#objects.get(key);
    if (!stored) throw new NotFoundError(key);
    if (!opts.range) return stored.slice();
    const { offset, length } = opts.range;
    if (offset + length > stored.length) throw rangeNotSatisfiable(key, opts.range, stored.length);
    return stored.slice(offset, offset + length);
  }

  async put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<void> {
    opts.signal?.throwIfAborted();
    assertValidKey(key);
    if (opts.ifAbsent && this.#objects.has(key)) throw new AlreadyExistsError(key);
    // check and set happen in one synchronous step, so concurrent ifAbsent puts cannot both win
    this.#objects.set(key, new Uint8Array(body));
  }

  async *list(prefix: string, opts: SignalOption = {}): AsyncIterable<ListEntry> {
    opts.signal?.throwIfAborted();
    assertValidPrefix(prefix);
    // a snapshot of the matching keys, so puts and deletes during the listing cannot disturb it
    const entries = [...this.#objects]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, body]) => ({ key, size: body.length }));
    for (const entry of entries) {
      opts.signal?.throwIfAborted();
      yield entry;
    }
  }

  async stat(key: string, opts: SignalOption = {}): Promise<{ size: number } | undefined> {
    opts.signal?.throwIfAborted();
    assertValidKey(key);
    const stored = this.#objects.get(key);
    return stored ? { size: stored.length } : undefined;
  }

  async delete(key: string, opts: SignalOption = {}): Promise<void> {
    opts.signal?.throwIfAborted();
    assertValidKey(key);
    this.#objects.delete(key);
  }

  async create(opts: SignalOption = {}): Promise<void> {
    opts.signal?.throwIfAborted();
  }
}
