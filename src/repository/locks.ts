// Repository locks (docs/format.md 10): shared for commands that add or read, exclusive for commands that
// delete. A lock is an encrypted object naming its holder; it is refreshed while held, and a lock whose
// process is gone (same host) or that was not refreshed for STALE_AFTER_MS is stale and ignored.

import os from 'node:os';
import { CorruptObjectError, LockFailedError } from '../errors.js';
import { AlreadyExistsError, StorageError, StorageUnavailableError } from '../storage/storage.js';
import { objectKey } from './format.js';
import { isRecord } from './config.js';
import { listObjectIds, loadObject, type ObjectContext, saveObject } from './objects.js';
import { jsonBytes, parseJson } from './sealed.js';

export interface LockInfo {
  readonly time: string;
  readonly refreshed: string;
  readonly exclusive: boolean;
  readonly host: string;
  readonly pid: number;
  readonly user: string;
  readonly operation: string;
}

export interface StoredLock {
  readonly id: string;
  readonly lock: LockInfo;
  readonly stale: boolean;
  /** Why it counts as stale. */
  readonly staleReason?: string;
}

/** A lock not refreshed for this long is stale (locks are refreshed every REFRESH_MS while held). */
export const STALE_AFTER_MS = 30 * 60 * 1000;
export const REFRESH_MS = 5 * 60 * 1000;

export interface HeldLock {
  readonly id: string;
  release(): Promise<void>;
}

export async function listLocks(ctx: ObjectContext, now: Date = new Date()): Promise<StoredLock[]> {
  const out: StoredLock[] = [];
  for (const id of await listObjectIds(ctx.storage, 'lock')) {
    let lock: LockInfo;
    try {
      lock = decodeLock(await loadObject(ctx, 'lock', id), `locks/${id}`);
    } catch (err) {
      // Deleted since listing (released), or unreadable: an unreadable lock cannot hold anything back.
      if (!(err instanceof CorruptObjectError)) {
        if ((err as { code?: string }).code === 'COFFER_E_NOT_FOUND') continue;
        throw err;
      }
      out.push({ id, lock: unknownLock(), stale: true, staleReason: 'it cannot be read' });
      continue;
    }
    out.push({ id, lock, ...staleness(lock, now) });
  }
  return out;
}

/**
 * Takes a lock: refuses (exit 11, naming the holder) when an exclusive lock is held, or, for an exclusive
 * lock, when any lock is held. Checks again after writing, so two commands racing cannot both win.
 */
export async function acquireLock(
  ctx: ObjectContext,
  opts: { exclusive: boolean; operation: string; now?: () => Date },
): Promise<HeldLock> {
  const now = opts.now ?? (() => new Date());
  refuseIfConflict(await listLocks(ctx, now()), opts.exclusive, undefined);
  const started = now().toISOString();
  const info = (refreshed: string): LockInfo => ({
    time: started,
    refreshed,
    exclusive: opts.exclusive,
    host: os.hostname(),
    pid: process.pid,
    user: safeUser(),
    operation: opts.operation,
  });
  let id = await saveObject(ctx, 'lock', encodeLock(info(started)), { compression: 'none' });
  try {
    refuseIfConflict(await listLocks(ctx, now()), opts.exclusive, id);
  } catch (err) {
    await ctx.storage.delete(objectKey('lock', id)).catch(() => undefined);
    throw err;
  }
  const timer = setInterval(() => {
    void (async () => {
      const fresh = await saveObject(ctx, 'lock', encodeLock(info(now().toISOString())), {
        compression: 'none',
      });
      const old = id;
      id = fresh;
      await ctx.storage.delete(objectKey('lock', old));
    })().catch(() => undefined);
  }, REFRESH_MS);
  timer.unref();
  return {
    get id() {
      return id;
    },
    async release() {
      clearInterval(timer);
      await ctx.storage.delete(objectKey('lock', id));
    },
  };
}

/** Removes stale locks (or, with `all`, every lock); returns what was removed. */
export async function removeLocks(
  ctx: ObjectContext,
  opts: { all?: boolean; now?: Date } = {},
): Promise<StoredLock[]> {
  const locks = await listLocks(ctx, opts.now ?? new Date());
  const doomed = locks.filter((l) => opts.all || l.stale);
  for (const l of doomed) await ctx.storage.delete(objectKey('lock', l.id));
  return doomed;
}

function refuseIfConflict(locks: readonly StoredLock[], exclusive: boolean, ownId: string | undefined): void {
  const blocking = locks.filter((l) => !l.stale && l.id !== ownId && (exclusive || l.lock.exclusive));
  if (blocking.length === 0) return;
  // Two exclusive lockers racing: the one whose lock id sorts first wins, so exactly one goes on.
  if (ownId && exclusive && blocking.every((l) => l.lock.exclusive && l.id > ownId)) return;
  const holder = blocking[0]!.lock;
  throw new LockFailedError(
    `the repository is locked by "${holder.operation}" (${holder.exclusive ? 'exclusive' : 'shared'}) of ${holder.user}@${holder.host}, process ${holder.pid}, since ${holder.time}; ` +
      'wait for it to finish. If that process is gone, "coffer unlock" removes stale locks',
  );
}

function staleness(lock: LockInfo, now: Date): { stale: boolean; staleReason?: string } {
  if (now.getTime() - Date.parse(lock.refreshed) > STALE_AFTER_MS) {
    return { stale: true, staleReason: `not refreshed since ${lock.refreshed}` };
  }
  if (lock.host === os.hostname() && lock.pid !== process.pid && !processExists(lock.pid)) {
    return { stale: true, staleReason: `process ${lock.pid} on this host is gone` };
  }
  return { stale: false };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function encodeLock(lock: LockInfo): Uint8Array {
  return jsonBytes(lock);
}

function decodeLock(bytes: Uint8Array, what: string): LockInfo {
  const v = parseJson(bytes, what);
  if (
    !isRecord(v) ||
    typeof v.time !== 'string' ||
    typeof v.refreshed !== 'string' ||
    typeof v.exclusive !== 'boolean' ||
    typeof v.pid !== 'number'
  ) {
    throw new CorruptObjectError(`${what} is damaged: its fields are missing`);
  }
  return {
    time: v.time,
    refreshed: v.refreshed,
    exclusive: v.exclusive,
    host: String(v.host ?? ''),
    pid: v.pid,
    user: String(v.user ?? ''),
    operation: String(v.operation ?? ''),
  };
}

function unknownLock(): LockInfo {
  return { time: '', refreshed: '', exclusive: false, host: '', pid: 0, user: '', operation: 'unknown' };
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}

/**
 * Runs `fn` while holding a lock, releasing it however `fn` ends. A shared lock given `onUnlocked` runs
 * `fn` without a lock when the storage refuses the lock's write (read-only credentials), after saying so.
 */
export async function withLock<T>(
  ctx: ObjectContext,
  opts: { exclusive: boolean; operation: string; onUnlocked?: (message: string) => void },
  fn: () => Promise<T>,
): Promise<T> {
  let lock: HeldLock;
  try {
    lock = await acquireLock(ctx, opts);
  } catch (err) {
    if (opts.exclusive || !opts.onUnlocked || !isRefusedWrite(err)) throw err;
    opts.onUnlocked(
      `could not take a lock (${err.message}); going on without one: a prune run at the same time could make this ${opts.operation} fail, but never give wrong data`,
    );
    return fn();
  }
  try {
    return await fn();
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** A write the storage turned down for good (permissions, read-only), as opposed to one it could not answer. */
function isRefusedWrite(err: unknown): err is StorageError {
  return (
    err instanceof StorageError &&
    err.operation === 'put' &&
    !err.transient &&
    !(err instanceof StorageUnavailableError) &&
    !(err instanceof AlreadyExistsError)
  );
}
