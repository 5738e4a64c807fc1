// Waiting for a lock instead of failing at once (restic's --retry-lock): a scheduled backup that meets a
// prune's exclusive lock waits for the prune to end rather than miss its run.

import { setTimeout as delay } from 'node:timers/promises';
import { InterruptedError, LockFailedError } from '../errors.js';

export interface RetryLockOptions {
  /** How long to keep trying, in milliseconds; 0 tries once. */
  readonly retryForMs: number;
  /** Told before each wait, with the refusal that caused it. */
  readonly onWait?: (refusal: LockFailedError, waitMs: number) => void;
  readonly signal?: AbortSignal;
  /** Injected in tests, so waiting takes no real time. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

const FIRST_WAIT_MS = 1000;
const LONGEST_WAIT_MS = 30_000;

/**
 * Runs `attempt` again while it fails with LockFailedError, for up to `retryForMs`. Meant for commands
 * that take their lock before doing anything (backup, forget, prune), so a refused attempt has changed
 * nothing. Waits grow from about 1 s to 30 s, jittered by a quarter either way so that two waiting
 * commands do not keep meeting; when time is up the last refusal is thrown, saying how long it waited.
 */
export async function retryWhileLocked<T>(attempt: () => Promise<T>, opts: RetryLockOptions): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const random = opts.random ?? Math.random;
  const started = now();
  let wait = FIRST_WAIT_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof LockFailedError)) throw err;
      const left = started + opts.retryForMs - now();
      if (left <= 0) {
        if (opts.retryForMs <= 0) throw err;
        throw new LockFailedError(`${err.message} (gave up after waiting ${spoken(now() - started)})`, {
          cause: err,
        });
      }
      const ms = Math.min(left, LONGEST_WAIT_MS, Math.round(wait * (0.75 + random() / 2)));
      opts.onWait?.(err, ms);
      try {
        await sleep(ms, opts.signal);
      } catch (stop) {
        if (!opts.signal?.aborted) throw stop;
        throw new InterruptedError('stopped while waiting for the lock; nothing was changed', {
          cause: stop,
        });
      }
      wait = Math.min(wait * 2, LONGEST_WAIT_MS);
    }
  }
}

function spoken(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.round(seconds / 60);
  return `${minutes} minutes`;
}
