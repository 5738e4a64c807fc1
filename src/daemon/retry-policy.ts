// Which failed runs are tried again, and when: transient trouble (storage unreachable, a lock held by
// someone else) is retried with growing gaps within a window; mistakes a retry cannot fix are not.

import type { RetryRecord } from './state-types.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Wait before the first retry; each later wait is `factor` times the one before. */
  readonly firstDelayMs: number;
  readonly factor: number;
  /** No retry starts later than this after the first attempt began. */
  readonly windowMs: number;
}

/** 3 attempts: the first, then 10 and 40 minutes later, all within 2 hours. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  firstDelayMs: 10 * 60_000,
  factor: 4,
  windowMs: 2 * 3_600_000,
};

// 2 usage (a bad option or config), 10 no repository, 12 wrong password, 13 admin key required:
// the same attempt would fail the same way until someone changes something.
const PERMANENT_EXIT_CODES: ReadonlySet<number> = new Set([2, 10, 12, 13]);

/** Whether a step that failed with this exit code (null: killed by a signal) is worth trying again. */
export function isRetryable(exitCode: number | null): boolean {
  return exitCode === null || !PERMANENT_EXIT_CODES.has(exitCode);
}

/**
 * The retry after attempt number `failedAttempt` (1 = the first) failed, or undefined when the
 * attempts or the window are used up. `previous` is the retry record that led to this attempt, if any.
 */
export function nextRetry(
  policy: RetryPolicy,
  failedAttempt: number,
  attemptStartedAt: Date,
  finishedAt: Date,
  previous?: RetryRecord,
): RetryRecord | undefined {
  if (failedAttempt >= policy.maxAttempts) return undefined;
  const windowEndsAt = previous
    ? new Date(previous.windowEndsAt)
    : new Date(attemptStartedAt.getTime() + policy.windowMs);
  const delay = policy.firstDelayMs * policy.factor ** (failedAttempt - 1);
  const at = new Date(finishedAt.getTime() + delay);
  if (at > windowEndsAt) return undefined;
  return { attempt: failedAttempt + 1, at: at.toISOString(), windowEndsAt: windowEndsAt.toISOString() };
}
