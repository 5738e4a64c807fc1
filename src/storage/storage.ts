// The storage seam: one small interface every backend implements and every wrapper composes over.

import { CofferError } from '../errors.js';

/**
 * A flat key/value store of immutable objects addressed by `/`-separated keys such as
 * `data/3f/3f0a...` or `keys/91c2...`.
 *
 * Consistency every backend must give (coffer's correctness depends on these, nothing more):
 * - Read-after-write: once `put` resolves, `get`, `stat` and `list` on any later call see the object
 *   with exactly the bytes written. A `put` that rejects leaves either no object or the complete
 *   object under the key, never a partial one.
 * - `put` with `ifAbsent: true` rejects with {@link AlreadyExistsError} when the key exists, without
 *   changing it. Backends whose service cannot do this atomically (some S3-compatibles ignore
 *   `If-None-Match`) check first and document the race.
 * - `put` without `ifAbsent` replaces the object whole.
 * - `list` yields every key under the prefix that existed before the listing started and was not
 *   deleted during it, each once, in no particular order; it may or may not include keys written during it.
 * - `get` and `stat` of a missing key: `get` rejects with {@link NotFoundError}, `stat` resolves `undefined`.
 * - `delete` of a missing key succeeds (deletes are idempotent).
 * - Every call honours `signal`: an aborted call rejects promptly with the signal's reason.
 */
export interface Storage {
  /** Human-readable location without credentials, for messages. */
  readonly location: string;
  get(key: string, opts?: GetOptions): Promise<Uint8Array>;
  put(key: string, body: Uint8Array, opts?: PutOptions): Promise<void>;
  list(prefix: string, opts?: SignalOption): AsyncIterable<ListEntry>;
  stat(key: string, opts?: SignalOption): Promise<{ size: number } | undefined>;
  delete(key: string, opts?: SignalOption): Promise<void>;
  /** Creates the container (folder, bucket) if it does not exist. Only `init` calls it. */
  create?(opts?: CreateOptions): Promise<void>;
  /**
   * Server-side retention (S3 Object Lock), on backends that can speak it; absent elsewhere (local
   * folder, memory). Present does not mean enabled: {@link ObjectLock.enabled} says whether this
   * container can actually hold locked objects.
   */
  readonly objectLock?: ObjectLock;
  /**
   * Backends whose objects are files on this machine (the local folder): the path of `key`'s file, so
   * a worker thread can read ranges of it itself instead of asking this thread for each. Wrappers that
   * must see every read (fault injection, counting) leave it out, and readers then use `get`.
   */
  localFile?(key: string): string;
}

/** How strictly a retained object is kept (S3's two Object Lock modes). */
export type RetentionMode = 'governance' | 'compliance';

/**
 * A retention period on one stored object: until `until`, the service refuses to delete or replace the
 * stored bytes. In `governance` mode a specially privileged user may still lift it; in `compliance`
 * mode nobody can, the account owner included.
 */
export interface Retention {
  readonly mode: RetentionMode;
  readonly until: Date;
}

/**
 * Object Lock on a versioned container. What it guarantees is the service's, not coffer's: a locked
 * version's bytes stay readable by version until `until`, whatever is asked. A plain `delete` of a
 * locked key still succeeds on such a service, but only hides the key behind a delete marker.
 */
export interface ObjectLock {
  /** Whether the container has Object Lock turned on (false also when it has never been configured). */
  enabled(opts?: SignalOption): Promise<boolean>;
  /** The retention of the key's current version, `undefined` when it has none; NotFoundError when missing. */
  retention(key: string, opts?: SignalOption): Promise<Retention | undefined>;
  /**
   * Sets the retention of the key's current version. Only ever extends: the service refuses an earlier
   * date, and a compliance-mode lock cannot become governance (StorageError). NotFoundError when missing.
   */
  extend(key: string, retention: Retention, opts?: SignalOption): Promise<void>;
}

export interface SignalOption {
  signal?: AbortSignal;
}

export interface GetOptions extends SignalOption {
  /**
   * Read only `length` bytes from `offset`. Both are integers, `offset >= 0`, `length >= 1`.
   * A range that does not lie wholly inside the object rejects with a (permanent) {@link StorageError}:
   * callers read blobs at offsets an index gave them, so a short read means damage, never "the rest".
   */
  range?: { offset: number; length: number };
  /**
   * With `range`: memory the bytes may be read into (at least `range.length` bytes; the result is then a
   * view of its start), so a caller reading many blobs reuses a few buffers instead of faulting in fresh
   * pages for each. Backends that cannot read in place ignore it and return bytes of their own.
   */
  into?: Uint8Array;
}

export interface PutOptions extends SignalOption {
  ifAbsent?: boolean;
  /** Store the object under this retention (only on a storage with {@link Storage.objectLock}). */
  retention?: Retention;
}

export interface CreateOptions extends SignalOption {
  /** Create the container with Object Lock (and so versioning) turned on, where the backend can. */
  objectLock?: boolean;
}

export interface ListEntry {
  key: string;
  size: number;
}

/** Base of errors raised by storage backends. `transient` marks failures worth retrying. */
export class StorageError extends CofferError {
  readonly code: string = 'COFFER_E_STORAGE';
  readonly exitCode = 1;
  readonly transient: boolean;
  readonly operation: string;
  readonly key: string;
  /**
   * The failure itself without the operation/key/place context the message adds
   * (`connect ECONNREFUSED 127.0.0.1:9`), for wrappers that put their own context around it.
   */
  readonly reason: string;

  constructor(
    operation: string,
    key: string,
    message: string,
    opts: { transient?: boolean; cause?: unknown; reason?: string } = {},
  ) {
    super(message, { cause: opts.cause });
    this.operation = operation;
    this.key = key;
    this.transient = opts.transient ?? false;
    this.reason = opts.reason ?? message;
  }
}

export class NotFoundError extends StorageError {
  override readonly code = 'COFFER_E_NOT_FOUND';
  constructor(key: string, opts: { cause?: unknown } = {}) {
    super('get', key, `object ${key} does not exist`, opts);
  }
}

export class AlreadyExistsError extends StorageError {
  override readonly code = 'COFFER_E_ALREADY_EXISTS';
  constructor(key: string, opts: { cause?: unknown } = {}) {
    super('put', key, `object ${key} already exists`, opts);
  }
}

/**
 * The storage kept failing with transient errors until the retry budget ran out (network down,
 * endpoint unreachable, service overloaded). Not itself transient: retrying is already done.
 */
export class StorageUnavailableError extends StorageError {
  override readonly code = 'COFFER_E_STORAGE_UNAVAILABLE';
  readonly attempts: number;
  constructor(operation: string, key: string, message: string, opts: { attempts: number; cause?: unknown }) {
    super(operation, key, message, { cause: opts.cause });
    this.attempts = opts.attempts;
  }
}

/** Rejects a range that is not a pair of integers with `offset >= 0` and `length >= 1`. */
export function assertValidRange(range: { offset: number; length: number }): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 1) {
    throw new TypeError(`invalid range: offset ${offset}, length ${length}`);
  }
}

/** The error for a range that does not lie inside the object (permanent: the caller's offsets are wrong). */
export function rangeNotSatisfiable(
  key: string,
  range: { offset: number; length: number },
  size?: number,
): StorageError {
  const what = size === undefined ? '' : ` of ${size} bytes`;
  return new StorageError(
    'get',
    key,
    `range ${range.offset}+${range.length} lies outside object ${key}${what}`,
  );
}

/** A list prefix is empty, or key segments optionally ending in `/` or a partial segment (`data/a`). */
export function assertValidPrefix(prefix: string): void {
  if (prefix !== '' && !/^([A-Za-z0-9_.-]+\/)*[A-Za-z0-9_.-]*$/.test(prefix)) {
    throw new TypeError(`invalid storage prefix: ${JSON.stringify(prefix)}`);
  }
  if (prefix.split('/').some((s, i, all) => (s === '.' || s === '..') && i < all.length - 1)) {
    throw new TypeError(`invalid storage prefix: ${JSON.stringify(prefix)}`);
  }
}

/** Which keys are acceptable: ASCII letters, digits, `-`, `_`, `.` in `/`-separated segments. */
export function assertValidKey(key: string): void {
  if (
    !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(key) ||
    key.split('/').some((s) => s === '.' || s === '..')
  ) {
    throw new TypeError(`invalid storage key: ${JSON.stringify(key)}`);
  }
}

/** Node's network error codes that a later try may not meet: what backends and the retry wrapper treat as transient. */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
