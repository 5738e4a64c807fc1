// The daemon's periodic look at every job (at start and hourly): an overdue backup is told once per
// episode, a due drill at most once a month, and the weekly digest goes out when some channel wants it.

import type { CofferConfig } from '../config/index.js';
import type { DaemonNotice } from './notices.js';
import { isDrillDue, isOverdue, nextRunAfter, overdueAt } from './scheduler.js';
import type { DaemonState } from './state-types.js';
import { describeJob } from './status.js';

const DRILL_REMINDER_EVERY_MS = 30 * 86_400_000;
/** The digest goes out on Monday mornings, in the first job's time zone. */
const DIGEST_CRON = '0 8 * * 1';

export interface HousekeepingResult {
  readonly state: DaemonState;
  readonly notices: readonly DaemonNotice[];
}

/**
 * `runSoon` names jobs with a run about to start (a catch-up after downtime): their overdue notice
 * waits for that run, whose success or failure says more.
 */
export function housekeeping(
  config: CofferConfig,
  state: DaemonState,
  now: Date,
  runSoon: ReadonlySet<string> = new Set(),
): HousekeepingResult {
  const notices: DaemonNotice[] = [];
  const jobs = { ...state.jobs };
  for (const job of config.jobs) {
    let js = jobs[job.name] ?? {};
    if (isOverdue(job, js, now) && !js.overdueNotifiedAt && !runSoon.has(job.name)) {
      notices.push({
        kind: 'overdue',
        job: job.name,
        time: now,
        since: overdueAt(job, js)!,
        ...(js.lastSuccess ? { lastSuccess: js.lastSuccess } : {}),
        ...(js.lastFailure ? { lastFailure: js.lastFailure } : {}),
      });
      js = { ...js, overdueNotifiedAt: now.toISOString() };
    }
    const reminded = js.drillReminderAt ? new Date(js.drillReminderAt).getTime() : -Infinity;
    if (isDrillDue(job, js, now) && now.getTime() - reminded >= DRILL_REMINDER_EVERY_MS) {
      notices.push({
        kind: 'drill-due',
        job: job.name,
        time: now,
        ...(js.lastPassedDrill ? { lastPassed: new Date(js.lastPassedDrill) } : {}),
      });
      js = { ...js, drillReminderAt: now.toISOString() };
    }
    jobs[job.name] = js;
  }
  let next: DaemonState = { ...state, jobs };
  if (wantsDigest(config) && isDigestDue(config, state, now)) {
    notices.push({
      kind: 'digest',
      time: now,
      jobs: config.jobs.map((job) => {
        const status = describeJob(job, jobs[job.name], now);
        return {
          job: job.name,
          overdue: status.overdue,
          ...(status.lastSuccess ? { lastSuccess: new Date(status.lastSuccess.time) } : {}),
          ...(status.lastCheck ? { lastCheckOk: status.lastCheck.ok } : {}),
          ...(status.nextRun ? { nextRun: new Date(status.nextRun) } : {}),
        };
      }),
    });
    next = { ...next, lastDigest: now.toISOString() };
  }
  return { state: next, notices };
}

function wantsDigest(config: CofferConfig): boolean {
  return config.notifications.some((n) => n.on.includes('digest'));
}

function isDigestDue(config: CofferConfig, state: DaemonState, now: Date): boolean {
  const timezone = config.jobs[0]?.schedule.timezone ?? 'Europe/London';
  // The first digest waits for the first Monday after the daemon first ran.
  const firstSeen = Object.values(state.jobs)
    .map((j) => j.firstSeen)
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  const reference = state.lastDigest ?? firstSeen;
  if (!reference) return false;
  const next = nextRunAfter({ cron: DIGEST_CRON, timezone }, new Date(reference));
  return next !== undefined && next <= now;
}
