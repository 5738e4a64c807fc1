// Building configs, jobs and a fast-forwarding clock for daemon tests.

import type { Clock } from '../../src/daemon/index.js';
import type { CofferConfig, JobConfig } from '../../src/config/index.js';

const DAY = 86_400_000;

export function makeJob(overrides: Partial<JobConfig> = {}): JobConfig {
  return {
    name: 'documents',
    repository: '/srv/backup/documents',
    password: { file: '/etc/coffer/documents.pass' },
    sources: ['/srv/council/documents'],
    excludes: [],
    excludeIfPresent: [],
    oneFileSystem: false,
    tags: [],
    schedule: { cron: '0 2 * * 0', timezone: 'Europe/London', graceMs: DAY },
    prune: {},
    rto: [],
    drill: { remindAfterMs: 365 * DAY },
    ...overrides,
  };
}

export function makeConfig(
  stateDir: string,
  jobs: readonly JobConfig[],
  overrides: Partial<CofferConfig> = {},
): CofferConfig {
  return { path: '/etc/coffer/coffer.yaml', stateDir, jobs, notifications: [], ...overrides };
}

/**
 * A clock whose sleep() jumps straight to the end of the wait (letting other work run first), so a
 * daemon lives through weeks in milliseconds. `onAdvance` sees each new time (to stop the daemon).
 */
export function fastClock(
  start: Date,
  onAdvance: (now: Date) => void = () => {},
): Clock & { set(t: Date): void } {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    set: (t) => {
      now = t.getTime();
    },
    sleep: async (ms, signal) => {
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) return;
      now += Math.max(0, ms);
      onAdvance(new Date(now));
    },
  };
}

export const at = (iso: string): Date => new Date(iso);
