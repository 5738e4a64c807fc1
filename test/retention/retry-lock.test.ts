// Waiting for a lock (--retry-lock): with an injected clock and sleep, so no test waits for real.

import { describe, expect, it } from 'vitest';
import { InterruptedError, LockFailedError, OperationFailedError } from '../../src/errors.js';
import { acquireLock, retryWhileLocked } from '../../src/repository/index.js';
import { memRepo } from '../helpers/repo.js';

/** A clock that only moves when the code under test sleeps. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = 1_000_000;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

describe('retryWhileLocked', () => {
  it('tries again while the repository is locked, with growing waits, and returns the first success', async () => {
    const time = fakeTime();
    let attempts = 0;
    const result = await retryWhileLocked(
      async () => {
        if (++attempts < 5) throw new LockFailedError('the repository is locked by "prune"');
        return 'done';
      },
      { retryForMs: 10 * 60_000, ...time, random: () => 0.5 },
    );
    expect(result).toBe('done');
    expect(attempts).toBe(5);
    expect(time.slept).toEqual([1000, 2000, 4000, 8000]);
  });

  it('gives up when the time is spent, saying how long it waited; never sleeps past the end', async () => {
    const time = fakeTime();
    const waits: number[] = [];
    const attempt = retryWhileLocked(
      () => Promise.reject(new LockFailedError('the repository is locked by "prune"')),
      { retryForMs: 90_000, ...time, random: () => 1, onWait: (_, ms) => waits.push(ms) },
    );
    await expect(attempt).rejects.toThrow(/locked by "prune" \(gave up after waiting 90 seconds\)/);
    await expect(attempt).rejects.toBeInstanceOf(LockFailedError);
    expect(time.slept.reduce((a, b) => a + b, 0)).toBe(90_000);
    expect(time.slept.every((ms) => ms <= 30_000)).toBe(true);
    expect(waits).toEqual(time.slept);
  });

  it('without time to wait, tries once and passes the refusal on unchanged', async () => {
    const time = fakeTime();
    const refusal = new LockFailedError('the repository is locked by "backup"');
    await expect(retryWhileLocked(() => Promise.reject(refusal), { retryForMs: 0, ...time })).rejects.toBe(
      refusal,
    );
    expect(time.slept).toEqual([]);
  });

  it('does not retry other failures', async () => {
    const time = fakeTime();
    let attempts = 0;
    const failing = retryWhileLocked(
      () => {
        attempts++;
        return Promise.reject(new OperationFailedError('the storage is unreachable'));
      },
      { retryForMs: 60_000, ...time },
    );
    await expect(failing).rejects.toBeInstanceOf(OperationFailedError);
    expect(attempts).toBe(1);
  });

  it('stops waiting when interrupted (Ctrl-C), as an interruption', async () => {
    const stop = new AbortController();
    const waiting = retryWhileLocked(() => Promise.reject(new LockFailedError('locked')), {
      retryForMs: 60 * 60_000,
      signal: stop.signal,
    });
    setTimeout(() => stop.abort(new Error('received SIGINT')), 20);
    await expect(waiting).rejects.toBeInstanceOf(InterruptedError);
  });

  it('waits for a real lock to be released, then takes it', async () => {
    const repo = await memRepo();
    const held = await acquireLock(repo, { exclusive: true, operation: 'prune' });
    let attempts = 0;
    const waiting = retryWhileLocked(
      async () => {
        attempts++;
        const lock = await acquireLock(repo, { exclusive: false, operation: 'backup' });
        await lock.release();
        return attempts;
      },
      {
        retryForMs: 60_000,
        // Releases the prune's lock during the first wait, as a finishing prune would.
        sleep: async () => {
          await held.release();
        },
      },
    );
    await expect(waiting).resolves.toBe(2);
  });
});
