import { describe, expect, it } from 'vitest';
import { LockFailedError } from '../../src/errors.js';
import {
  acquireLock,
  listLocks,
  listObjectIds,
  removeLocks,
  saveObject,
  STALE_AFTER_MS,
} from '../../src/repository/index.js';
import { memRepo } from '../helpers/repo.js';

describe('locks', () => {
  it('shared locks coexist; an exclusive lock waits for none and blocks everyone', async () => {
    const repo = await memRepo();
    const a = await acquireLock(repo, { exclusive: false, operation: 'backup' });
    const b = await acquireLock(repo, { exclusive: false, operation: 'backup' });
    const err = await acquireLock(repo, { exclusive: true, operation: 'prune' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockFailedError);
    expect((err as LockFailedError).exitCode).toBe(11);
    expect((err as Error).message).toMatch(/locked by "backup" \(shared\) of .*@.*, process \d+/);
    await a.release();
    await b.release();
    const x = await acquireLock(repo, { exclusive: true, operation: 'prune' });
    await expect(acquireLock(repo, { exclusive: false, operation: 'backup' })).rejects.toThrow(
      /locked by "prune" \(exclusive\)/,
    );
    await x.release();
    expect(await listObjectIds(repo.storage, 'lock')).toEqual([]);
  });

  it('a refused locker leaves no lock behind', async () => {
    const repo = await memRepo();
    const held = await acquireLock(repo, { exclusive: true, operation: 'forget' });
    await expect(acquireLock(repo, { exclusive: false, operation: 'backup' })).rejects.toBeInstanceOf(
      LockFailedError,
    );
    expect(await listObjectIds(repo.storage, 'lock')).toEqual([held.id]);
    await held.release();
  });

  it('locks of a process that is gone, or not refreshed for 30 minutes, are stale: ignored and removed by unlock', async () => {
    const repo = await memRepo();
    const now = new Date();
    const lock = (pid: number, host: string, refreshed: Date): Uint8Array =>
      new TextEncoder().encode(
        JSON.stringify({
          time: refreshed.toISOString(),
          refreshed: refreshed.toISOString(),
          exclusive: true,
          host,
          pid,
          user: 'x',
          operation: 'prune',
        }),
      );
    const os = await import('node:os');
    await saveObject(repo, 'lock', lock(2 ** 22 + 12345, os.hostname(), now)); // no such process here
    await saveObject(repo, 'lock', lock(1, 'other-host', new Date(now.getTime() - STALE_AFTER_MS - 60_000)));
    await saveObject(repo, 'lock', lock(1, 'other-host', now)); // fresh, elsewhere: holds
    const locks = await listLocks(repo);
    expect(locks.map((l) => l.stale).sort()).toEqual([false, true, true]);
    expect(
      locks
        .filter((l) => l.stale)
        .map((l) => l.staleReason)
        .sort(),
    ).toEqual([expect.stringMatching(/not refreshed since/), expect.stringMatching(/is gone/)]);
    await expect(acquireLock(repo, { exclusive: false, operation: 'backup' })).rejects.toBeInstanceOf(
      LockFailedError,
    );
    expect(await removeLocks(repo)).toHaveLength(2);
    expect(await listLocks(repo)).toHaveLength(1);
    expect(await removeLocks(repo, { all: true })).toHaveLength(1);
    const ok = await acquireLock(repo, { exclusive: true, operation: 'prune' });
    await ok.release();
  });

  it('of two exclusive lockers racing, exactly one keeps its lock', async () => {
    const repo = await memRepo();
    const results = await Promise.allSettled([
      acquireLock(repo, { exclusive: true, operation: 'prune' }),
      acquireLock(repo, { exclusive: true, operation: 'forget' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won.length).toBeLessThanOrEqual(1);
    for (const r of won) await (r as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });
});
