// Fault-injection wrapper for tests: makes chosen calls fail, stall or return damaged bytes, and records every call.

import { sleep } from './with-retry.js';
import {
  NotFoundError,
  StorageError,
  type GetOptions,
  type ListEntry,
  type PutOptions,
  type SignalOption,
  type Storage,
} from './storage.js';

export type FaultOp = 'get' | 'put' | 'list' | 'stat' | 'delete';
export type FaultError = 'transient' | 'permanent' | 'notfound';

export interface FaultRule {
  /** Which calls; all five when omitted. */
  readonly op?: FaultOp;
  /** Exact key (for list: exact prefix) or a pattern; all keys when omitted. */
  readonly key?: string | RegExp;
  /** How many matching calls the fault hits. Default 1; Infinity for all. */
  readonly times?: number;
  /** Matching calls to let through untouched before the fault starts. Default 0. */
  readonly after?: number;
  /**
   * The call fails: `transient`/`permanent` StorageErrors, or `notfound`, which makes the call act as
   * if the object were missing (get rejects NotFoundError, stat gives undefined, list yields nothing,
   * delete does nothing, put rejects NotFoundError as for a vanished bucket).
   */
  readonly error?: FaultError;
  /**
   * `before` (default): the call fails without reaching the storage. `after`: the storage does the
   * work and then the caller gets the error, as when a reply is lost on the way back.
   */
  readonly when?: 'before' | 'after';
  /** list only: yield this many entries, then fail with `error` (a listing that breaks between pages). */
  readonly afterEntries?: number;
  /** get only: the bytes the caller receives instead (given a copy of the stored ones). */
  readonly corrupt?: (bytes: Uint8Array) => Uint8Array;
  /** Wait this long (honouring the call's signal) before going on. */
  readonly delayMs?: number;
}

export interface FaultCall {
  readonly op: FaultOp;
  /** The key, or for list the prefix. */
  readonly key: string;
  /** What was done to the call, if anything. */
  readonly fault?: FaultError | 'corrupt' | 'delay';
}

export interface FaultyStorage extends Storage {
  /** Every call in order, faulted or not. */
  readonly calls: readonly FaultCall[];
}

/** Wraps `storage` so that calls matching `plan`'s rules misbehave as the rules say. */
export function withFaults(storage: Storage, plan: readonly FaultRule[]): FaultyStorage {
  return new FaultyStorageImpl(storage, plan);
}

class FaultyStorageImpl implements FaultyStorage {
  readonly calls: FaultCall[] = [];
  readonly #inner: Storage;
  readonly #plan: readonly FaultRule[];
  readonly #matched: number[];

  constructor(inner: Storage, plan: readonly FaultRule[]) {
    this.#inner = inner;
    this.#plan = plan;
    this.#matched = plan.map(() => 0);
    const create = inner.create?.bind(inner);
    if (create) this.create = create;
  }

  readonly create?: (opts?: SignalOption) => Promise<void>;

  get location(): string {
    return this.#inner.location;
  }

  async get(key: string, opts: GetOptions = {}): Promise<Uint8Array> {
    const rule = await this.#enter('get', key, opts.signal);
    if (rule?.error && rule.when !== 'after') throw fault(rule.error, 'get', key);
    const bytes = await this.#inner.get(key, opts);
    if (rule?.error) throw fault(rule.error, 'get', key);
    return rule?.corrupt ? rule.corrupt(bytes.slice()) : bytes;
  }

  async put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<void> {
    const rule = await this.#enter('put', key, opts.signal);
    if (rule?.error && rule.when !== 'after') throw fault(rule.error, 'put', key);
    await this.#inner.put(key, body, opts);
    if (rule?.error) throw fault(rule.error, 'put', key);
  }

  async *list(prefix: string, opts: SignalOption = {}): AsyncIterable<ListEntry> {
    const rule = await this.#enter('list', prefix, opts.signal);
    if (rule?.error === 'notfound') return;
    if (rule?.error && rule.afterEntries === undefined) throw fault(rule.error, 'list', prefix);
    let yielded = 0;
    for await (const entry of this.#inner.list(prefix, opts)) {
      if (rule?.error && yielded === rule.afterEntries) throw fault(rule.error, 'list', prefix);
      yielded++;
      yield entry;
    }
    if (rule?.error) throw fault(rule.error, 'list', prefix);
  }

  async stat(key: string, opts: SignalOption = {}): Promise<{ size: number } | undefined> {
    const rule = await this.#enter('stat', key, opts.signal);
    if (rule?.error === 'notfound') return undefined;
    if (rule?.error && rule.when !== 'after') throw fault(rule.error, 'stat', key);
    const result = await this.#inner.stat(key, opts);
    if (rule?.error) throw fault(rule.error, 'stat', key);
    return result;
  }

  async delete(key: string, opts: SignalOption = {}): Promise<void> {
    const rule = await this.#enter('delete', key, opts.signal);
    if (rule?.error === 'notfound') return;
    if (rule?.error && rule.when !== 'after') throw fault(rule.error, 'delete', key);
    await this.#inner.delete(key, opts);
    if (rule?.error) throw fault(rule.error, 'delete', key);
  }

  /** Records the call, counts it against every matching rule, applies the first rule in its window's delay. */
  async #enter(op: FaultOp, key: string, signal: AbortSignal | undefined): Promise<FaultRule | undefined> {
    let firing: FaultRule | undefined;
    this.#plan.forEach((rule, i) => {
      if (!matches(rule, op, key)) return;
      const n = (this.#matched[i] ?? 0) + 1;
      this.#matched[i] = n;
      const after = rule.after ?? 0;
      if (!firing && n > after && n <= after + (rule.times ?? 1)) firing = rule;
    });
    const kind = firing?.error ?? (firing?.corrupt ? 'corrupt' : firing?.delayMs ? 'delay' : undefined);
    this.calls.push(kind ? { op, key, fault: kind } : { op, key });
    signal?.throwIfAborted();
    if (firing?.delayMs) await sleep(firing.delayMs, signal);
    return firing;
  }
}

function matches(rule: FaultRule, op: FaultOp, key: string): boolean {
  if (rule.op !== undefined && rule.op !== op) return false;
  if (rule.key === undefined) return true;
  if (typeof rule.key === 'string') return rule.key === key;
  rule.key.lastIndex = 0; // a /g pattern remembers where it stopped
  return rule.key.test(key);
}

function fault(kind: FaultError, op: FaultOp, key: string): StorageError {
  if (kind === 'notfound') return new NotFoundError(key);
  return new StorageError(op, key, `injected ${kind} fault: ${op} ${key}`, {
    transient: kind === 'transient',
  });
}
