// --retry-lock DURATION for commands that take a lock (backup, forget, prune): wait for a lock held by
// another command instead of failing at once, as restic's option of the same name does.

import type { Command } from 'commander';
import { UsageError } from '../src/errors.js';
import { retryWhileLocked } from '../src/repository/index.js';
import type { CliIo } from './io.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

export function addRetryLockOption(cmd: Command): Command {
  return cmd.option(
    '--retry-lock <duration>',
    'if another command holds the lock, keep trying for this long, e.g. 30s, 10m, 2h (m: minutes)',
  );
}

/** Milliseconds to keep trying (0 when the option is absent); checked before the repository is opened. */
export function retryLockFrom(flags: { retryLock?: string }): number {
  if (flags.retryLock === undefined) return 0;
  const text = flags.retryLock.trim();
  const parts = [...text.matchAll(/(\d+)(min|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`--retry-lock ${flags.retryLock}: give a duration such as 30s, 10m or 2h`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

/** Runs `attempt`, again while the repository is locked, for up to `retryForMs`; says once that it waits. */
export function whileLocked<T>(io: CliIo, retryForMs: number, attempt: () => Promise<T>): Promise<T> {
  let told = false;
  return retryWhileLocked(attempt, {
    retryForMs,
    signal: io.signal,
    onWait: (refusal) => {
      if (told) return;
      told = true;
      io.stderr.write(`coffer: ${refusal.message.split(';')[0]}; waiting for it (--retry-lock)\n`);
    },
  });
}
