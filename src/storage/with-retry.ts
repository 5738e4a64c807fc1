// Retry wrapper: repeats calls that failed transiently, with capped exponential backoff and full jitter.

import {
  StorageError,
  StorageUnavailableError,
  TRANSIENT_NETWORK_CODES,
  type CreateOptions,
  type GetOptions,
  type ListEntry,
  type ObjectLock,
  type PutOptions,
  type SignalOption,
  type Storage,
} from './storage.js';

export interface RetryOptions {
  /** Total tries per call, the first included. Default 6, or env COFFER_RETRY_ATTEMPTS. */
  attempts?: number;
  /** The delay cap before the first retry; it doubles each time. Default 250, or env COFFER_RETRY_BASE_MS. */
  baseDelayMs?: number;
  /** No single delay is longer than this. Default 10 000. */
  maxDelayMs?: number;
  /** Jitter source in [0, 1); tests pin it. Default Math.random. */
  random?: () => number;
  /** Waits between tries; tests record the delays instead of waiting. Must reject when `signal` fires. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told about every failed try that will be retried (for logging). */
  onRetry?: (info: {
    operation: string;
    key: string;
    attempt: number;
    delayMs: number;
    error: unknown;
  }) => void;
}

/**
 * Wraps `storage` so that each call is retried while it fails with `transient` errors (and raw network
 * errors), up to `attempts` tries with full-jitter backoff: before retry n it waits a random time in
 * [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). When the budget is spent it throws a
 * {@link StorageUnavailableError} naming the operation, key and location, with the last error as cause.
 * NotFound, AlreadyExists, permanent errors and aborts are passed through at once.
 *
 * The environment can change the defaults (explicit options still win): COFFER_RETRY_ATTEMPTS and
 * COFFER_RETRY_BASE_MS. The CLI's tests set them so an unreachable endpoint fails in milliseconds.
 */
export function withRetry(storage: Storage, options: RetryOptions = {}): Storage {
  return new RetryingStorage(storage, resolveOptions(options));
}

type Resolved = Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;

function resolveOptions(options: RetryOptions): Resolved {
  return {
    attempts: Math.max(1, Math.floor(options.attempts ?? envNumber('COFFER_RETRY_ATTEMPTS') ?? 6)),
    baseDelayMs: options.baseDelayMs ?? envNumber('COFFER_RETRY_BASE_MS') ?? 250,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? sleep,
    onRetry: options.onRetry,
  };
}

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Whether another try might succeed. */
export function isTransient(err: unknown): boolean {
  if (err instanceof StorageError) return err.transient;
  if (typeof err !== 'object' || err === null) return false;
  const code = 'code' in err ? err.code : undefined;
  return typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code);
}

class RetryingStorage implements Storage {
  readonly #inner: Storage;
  readonly #opts: Resolved;

  constructor(inner: Storage, opts: Resolved) {
    this.#inner = inner;
    this.#opts = opts;
    const create = inner.create?.bind(inner);
    if (create) this.create = (o: CreateOptions = {}) => this.#retry('create', '', o.signal, () => create(o));
    // A worker reading a local file itself has nothing to retry: a failed read is reported through get.
    const localFile = inner.localFile?.bind(inner);
    if (localFile) this.localFile = localFile;
    const lock = inner.objectLock;
    if (lock) {
      this.objectLock = {
        enabled: (o = {}) => this.#retry('lock-config', '', o.signal, () => lock.enabled(o)),
        retention: (key, o = {}) => this.#retry('retention', key, o.signal, () => lock.retention(key, o)),
        extend: (key, r, o = {}) =>
          this.#retry('extend retention of', key, o.signal, () => lock.extend(key, r, o)),
      };
    }
  }

  readonly objectLock?: ObjectLock;
  readonly localFile?: Storage['localFile'];

  get location(): string {
    return this.#inner.location;
  }

  readonly create?: (opts?: CreateOptions) => Promise<void>;

  get(key: string, opts: GetOptions = {}): Promise<Uint8Array> {
    return this.#retry('get', key, opts.signal, () => this.#inner.get(key, opts));
  }

  put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<void> {
    // A retried ifAbsent put whose first try did land (the reply was lost) now meets its own object
    // and rejects AlreadyExists. Callers of ifAbsent (locks, config) must treat that as "maybe mine".
    return this.#retry('put', key, opts.signal, () => this.#inner.put(key, body, opts));
  }

  stat(key: string, opts: SignalOption = {}): Promise<{ size: number } | undefined> {
    return this.#retry('stat', key, opts.signal, () => this.#inner.stat(key, opts));
  }

  delete(key: string, opts: SignalOption = {}): Promise<void> {
    return this.#retry('delete', key, opts.signal, () => this.#inner.delete(key, opts));
  }

  /**
   * A listing that fails part-way is started again and keys already yielded are skipped (restic's
   * retry backend does the same), so both the first page and later pages are retried and the caller
   * still sees each key once. The budget counts failures since the last new key, so a long listing
   * over a flaky line is not cut short by failures spread across it.
   */
  async *list(prefix: string, opts: SignalOption = {}): AsyncIterable<ListEntry> {
    const seen = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const entry of this.#inner.list(prefix, opts)) {
          if (seen.has(entry.key)) continue;
          seen.add(entry.key);
          attempt = 1;
          yield entry;
        }
        return;
      } catch (err) {
        await this.#afterFailure('list', prefix, opts.signal, attempt, err);
      }
    }
  }

  async #retry<T>(
    operation: string,
    key: string,
    signal: AbortSignal | undefined,
    call: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        await this.#afterFailure(operation, key, signal, attempt, err);
      }
    }
  }

  /** Returns after the backoff delay if `err` deserves another try; otherwise throws. */
  async #afterFailure(
    operation: string,
    key: string,
    signal: AbortSignal | undefined,
    attempt: number,
    err: unknown,
  ): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    if (!isTransient(err)) throw err;
    const { attempts, baseDelayMs, maxDelayMs, random } = this.#opts;
    if (attempt >= attempts) throw this.#unavailable(operation, key, attempt, err);
    const delayMs = Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
    this.#opts.onRetry?.({ operation, key, attempt, delayMs, error: err });
    await this.#opts.sleep(delayMs, signal);
  }

  #unavailable(operation: string, key: string, attempts: number, err: unknown): StorageUnavailableError {
    const where = this.#inner.location;
    const what =
      operation === 'create'
        ? `could not create ${where}`
        : operation === 'list'
          ? `could not list ${key === '' ? '' : `${key} in `}${where}`
          : `could not ${operation} ${key} ${operation === 'put' ? 'to' : 'from'} ${where}`;
    const reason =
      err instanceof StorageError ? err.reason : err instanceof Error ? err.message : String(err);
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    return new StorageUnavailableError(operation, key, `${what} after ${tries}: ${reason}`, {
      attempts,
      cause: err,
    });
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
