// Keeping what a new snapshot reuses locked as long as the snapshot itself (docs/immutability.md).
// Deduplication means a snapshot taken today may rest on a pack written a year ago, whose lock may end
// next week; so before the snapshot is written, every object it may depend on is locked until at least
// snapshot time + the lock period. kopia and Arq do the same; restic does not.
//
// Cost: objects are extended to now + period + a margin, and the new horizons kept in a local cache, so
// most backups need no request at all for most objects: each is extended about once per margin, not
// once per backup. Without the cache (a new computer) each object costs one HEAD the first time.

import {
  activeObjectLock,
  CONFIG_KEY,
  defaultCacheDir,
  listObjectIds,
  LockHorizons,
  lockPeriodMs,
  mapLimit,
  type MasterIndex,
  objectKey,
  type Repository,
  RETENTION_REQUESTS_AT_ONCE,
} from '../repository/index.js';
import { NotFoundError } from '../storage/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ExtendRetentionOptions {
  /** The new snapshot's time: what it depends on must stay locked until this + the lock period. */
  readonly snapshotTime: Date;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
  /** Where the horizon cache lives (default {@link defaultCacheDir}); `false` for none. */
  readonly cacheDir?: string | false;
}

export interface RetentionExtension {
  /** Objects the snapshot may depend on: the config, key files, index files and every indexed pack. */
  readonly objects: number;
  /** Those the cache could not vouch for, whose retention was read from the storage. */
  readonly looked: number;
  /** Those whose retention was extended. */
  readonly extended: number;
}

/**
 * How far beyond the required date objects are extended: half the lock period, at most 30 days. A
 * longer margin means fewer extensions but keeps data no snapshot needs any more locked for longer.
 */
export function extensionMarginMs(periodMs: number): number {
  return Math.min(periodMs / 2, 30 * DAY_MS);
}

/**
 * Extends the lock of every object a snapshot taken at `snapshotTime` may depend on. Does nothing
 * (undefined) when the repository has no Object Lock. Fails when the storage refuses: a snapshot whose
 * data could be deleted before its own lock ends is not written.
 */
export async function extendRetention(
  repo: Repository,
  index: MasterIndex,
  opts: ExtendRetentionOptions,
): Promise<RetentionExtension | undefined> {
  const active = activeObjectLock(repo);
  if (!active) return undefined;
  const { policy, lock } = active;
  const signal = opts.signal ? { signal: opts.signal } : {};
  const now = opts.now ?? (() => new Date());
  const period = lockPeriodMs(policy);
  const required = opts.snapshotTime.getTime() + period;

  const keys = [
    CONFIG_KEY,
    ...(await listObjectIds(repo.storage, 'index', signal)).map((id) => objectKey('index', id)),
    ...index.packIds().map((id) => objectKey('pack', id)),
  ];
  for await (const { key } of repo.storage.list('keys/', signal)) keys.push(key);

  const cache = await LockHorizons.load(
    opts.cacheDir ?? defaultCacheDir(),
    repo.config.id,
    repo.storage.location,
  );
  const unsure = keys.filter((key) => cache.get(key) < required);
  let extended = 0;
  await mapLimit(unsure, RETENTION_REQUESTS_AT_ONCE, async (key) => {
    let current;
    try {
      current = await lock.retention(key, signal);
    } catch (err) {
      if (err instanceof NotFoundError) return; // a key file removed meanwhile: nothing to protect
      throw err;
    }
    if (current && current.until.getTime() >= required) {
      cache.set(key, current.until);
      return;
    }
    const target = new Date(
      Math.max(now().getTime() + period + extensionMarginMs(period), current?.until.getTime() ?? 0),
    );
    // a compliance lock cannot become governance; keep whichever mode the object has
    await lock.extend(key, { mode: current?.mode ?? policy.mode, until: target }, signal);
    cache.set(key, target);
    extended++;
  });
  await cache.save(keys);
  return { objects: keys.length, looked: unsure.length, extended };
}
