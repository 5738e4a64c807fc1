// Object Lock for a repository (docs/immutability.md): the retention every new object gets, the storage
// wrapper that gives it, and reading which objects are still retained.

import { OperationFailedError, UsageError } from '../errors.js';
import {
  NotFoundError,
  type ObjectLock,
  type PutOptions,
  type Retention,
  type Storage,
} from '../storage/storage.js';
import type { LockPolicy, RepositoryConfig } from './config.js';
import { folderOf } from './format.js';
import { mapLimit } from './master-index.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Retention lookups (HEAD requests) in flight at once. */
export const RETENTION_REQUESTS_AT_ONCE = 16;

/**
 * How long each object is retained after it is written. COFFER_TEST_LOCK_SECONDS, for tests only, reads
 * the policy's days as that many seconds instead, so a suite on a real server can watch locks end.
 */
export function lockPeriodMs(policy: LockPolicy, env: NodeJS.ProcessEnv = process.env): number {
  const testSeconds = Number(env.COFFER_TEST_LOCK_SECONDS);
  if (env.COFFER_TEST_LOCK_SECONDS && Number.isFinite(testSeconds) && testSeconds > 0) {
    return testSeconds * 1000;
  }
  return policy.days * DAY_MS;
}

/** The retention an object written at `now` gets. */
export function retentionFrom(policy: LockPolicy, now: Date): Retention {
  return { mode: policy.mode, until: new Date(now.getTime() + lockPeriodMs(policy)) };
}

/** Locks must stay deletable (a finished command removes its own), so they are never retained. */
export function isRetainedKind(key: string): boolean {
  return !key.startsWith(`${folderOf('lock')}/`);
}

/** The repository's Object Lock when it is in force here: the config asks for it and the storage can. */
export function activeObjectLock(repo: {
  readonly config: RepositoryConfig;
  readonly storage: Storage;
}): { readonly policy: LockPolicy; readonly lock: ObjectLock } | undefined {
  const policy = repo.config.objectLock;
  const lock = repo.storage.objectLock;
  return policy && lock ? { policy, lock } : undefined;
}

/**
 * Makes a new repository's storage ready for Object Lock: a bucket created now gets Object Lock; an
 * existing one must already have it, since without it S3 refuses every retention (and some services
 * would store the objects unprotected).
 */
export async function prepareObjectLock(storage: Storage): Promise<void> {
  const lock = storage.objectLock;
  if (!lock) {
    throw new UsageError(
      `Object Lock needs S3 storage whose bucket has Object Lock turned on; ${storage.location} cannot lock objects. Create the repository without --object-lock, or in an S3 bucket`,
    );
  }
  await storage.create?.({ objectLock: true });
  if (!(await lock.enabled())) {
    throw new OperationFailedError(
      `the bucket of ${storage.location} does not have Object Lock turned on (it existed without it, or this service cannot lock objects), so nothing written to it could be protected; no repository was created. Give a bucket name that does not exist yet (coffer init creates it with Object Lock), or turn Object Lock on for this bucket in your provider's console`,
    );
  }
}

/**
 * The storage a lock-enabled repository writes through: every put carries the retention the policy
 * gives at that moment, except locks. When the storage cannot lock objects (a copy of the repository in
 * a local folder, say), it is returned unchanged and `warnings` says so.
 */
export function withRetention(
  storage: Storage,
  config: RepositoryConfig,
  warnings: string[],
  now: () => Date = () => new Date(),
): Storage {
  const policy = config.objectLock;
  if (!policy) return storage;
  if (!storage.objectLock) {
    warnings.push(
      `this repository asks for Object Lock, but ${storage.location} cannot lock objects: what is written here is not protected from deletion`,
    );
    return storage;
  }
  return new RetainingStorage(storage, policy, now);
}

class RetainingStorage implements Storage {
  readonly #inner: Storage;
  readonly #policy: LockPolicy;
  readonly #now: () => Date;

  constructor(inner: Storage, policy: LockPolicy, now: () => Date) {
    this.#inner = inner;
    this.#policy = policy;
    this.#now = now;
    if (inner.objectLock) this.objectLock = inner.objectLock;
    const create = inner.create?.bind(inner);
    if (create) this.create = create;
    const localFile = inner.localFile?.bind(inner);
    if (localFile) this.localFile = localFile;
  }

  readonly objectLock?: ObjectLock;
  readonly create?: Storage['create'];
  readonly localFile?: Storage['localFile'];

  get location(): string {
    return this.#inner.location;
  }

  get: Storage['get'] = (key, opts) => this.#inner.get(key, opts);
  list: Storage['list'] = (prefix, opts) => this.#inner.list(prefix, opts);
  stat: Storage['stat'] = (key, opts) => this.#inner.stat(key, opts);
  delete: Storage['delete'] = (key, opts) => this.#inner.delete(key, opts);

  put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<void> {
    if (opts.retention || !isRetainedKind(key)) return this.#inner.put(key, body, opts);
    return this.#inner.put(key, body, { ...opts, retention: retentionFrom(this.#policy, this.#now()) });
  }
}

/**
 * Which of `keys` are retained beyond `now` (by HEAD, {@link RETENTION_REQUESTS_AT_ONCE} at a time).
 * Keys that no longer exist are left out: there is nothing left to keep.
 */
export async function stillRetained(
  lock: ObjectLock,
  keys: readonly string[],
  now: Date,
  opts: { signal?: AbortSignal } = {},
): Promise<Map<string, Date>> {
  const found = await mapLimit(keys, RETENTION_REQUESTS_AT_ONCE, async (key) => {
    try {
      return { key, retention: await lock.retention(key, opts) };
    } catch (err) {
      if (err instanceof NotFoundError) return { key, retention: undefined };
      throw err;
    }
  });
  const out = new Map<string, Date>();
  for (const { key, retention } of found) {
    if (retention && retention.until.getTime() > now.getTime()) out.set(key, retention.until);
  }
  return out;
}
