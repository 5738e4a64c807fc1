// When each thing the daemon does is due: pure functions of the config, the state and an injected
// "now", so time zones, clock changes and downtime are tested without waiting.
//
// A run is due at the first scheduled time after the job's last finished attempt (or, for a job never
// run, after the daemon first saw it). If that time passed while the daemon was not running, the run
// is a catch-up: it happens once, soon after start, after a random delay (so machines restarted
// together do not all hit the storage at once), however many scheduled times were missed.

import { Cron } from 'croner';
import type { JobConfig } from '../config/index.js';
import type { JobState } from './state-types.js';

export interface Schedule {
  readonly cron: string;
  readonly timezone: string;
}

/** How the daemon's run relates to now: when it started, and this job's catch-up delay. */
export interface Timing {
  readonly now: Date;
  readonly startedAt: Date;
  /** The random delay drawn for this job at start; 0 for `--once`. */
  readonly catchUpDelayMs: number;
}

export interface PlannedRun {
  readonly at: Date;
  /** The scheduled time passed while the daemon was down. */
  readonly catchUp: boolean;
  /** A retry of a failed attempt. */
  readonly retry: boolean;
}

// Parsing a cron expression costs more than computing with it; schedules are few and fixed.
const crons = new Map<string, Cron>();

function cronOf(schedule: Schedule): Cron {
  const key = `${schedule.timezone}\u0000${schedule.cron}`;
  let cron = crons.get(key);
  if (!cron) {
    cron = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
    crons.set(key, cron);
  }
  return cron;
}

/** The first scheduled time strictly after `after`, in the schedule's time zone (croner: a time the
 * spring change skips runs at the first valid time after it; one the autumn change repeats runs once). */
export function nextRunAfter(schedule: Schedule, after: Date): Date | undefined {
  return cronOf(schedule).nextRun(after) ?? undefined;
}

/** The longest gap between consecutive runs among the next few after `from`: one "period" of the
 * schedule, so a weekly job's is 7 days and a Monday-and-Thursday job's is 4. */
export function schedulePeriodMs(schedule: Schedule, from: Date): number {
  const runs = cronOf(schedule).nextRuns(9, from);
  let longest = 0;
  for (let i = 1; i < runs.length; i++)
    longest = Math.max(longest, runs[i]!.getTime() - runs[i - 1]!.getTime());
  return longest;
}

/** A delay from 0 up to `maxMs`, from an injectable random source in [0, 1). */
export function catchUpDelayMs(maxMs: number, random: () => number = Math.random): number {
  return Math.floor(Math.min(Math.max(random(), 0), 0.999_999) * Math.max(0, maxMs));
}

/** When a run of `schedule` is next due, given the reference time of the last run (or first sight). */
export function plannedRun(
  schedule: Schedule,
  reference: Date | undefined,
  timing: Timing,
): PlannedRun | undefined {
  if (!reference) return undefined;
  const next = nextRunAfter(schedule, reference);
  if (!next) return undefined;
  if (next < timing.startedAt) {
    return { at: new Date(timing.startedAt.getTime() + timing.catchUpDelayMs), catchUp: true, retry: false };
  }
  return { at: next, catchUp: false, retry: false };
}

/** The backup run due next: a pending retry (while its window lasts) or the schedule, whichever is sooner. */
export function plannedBackup(job: JobConfig, state: JobState, timing: Timing): PlannedRun | undefined {
  const scheduled = plannedRun(job.schedule, later(state.lastAttempt, state.firstSeen), timing);
  const retry = state.retry;
  if (!retry || new Date(retry.windowEndsAt) < timing.now) return scheduled;
  const retryAt = new Date(
    Math.max(new Date(retry.at).getTime(), timing.startedAt.getTime() + timing.catchUpDelayMs),
  );
  if (scheduled && scheduled.at <= retryAt) return scheduled;
  return { at: retryAt, catchUp: false, retry: true };
}

export function isDue(job: JobConfig, state: JobState, timing: Timing): boolean {
  const planned = plannedBackup(job, state, timing);
  return planned !== undefined && planned.at <= timing.now;
}

/** The scheduled drill due next, for a job with `drill.cron`. */
export function plannedDrill(job: JobConfig, state: JobState, timing: Timing): PlannedRun | undefined {
  if (!job.drill.cron) return undefined;
  const schedule = { cron: job.drill.cron, timezone: job.schedule.timezone };
  return plannedRun(schedule, later(state.lastDrillAttempt, state.firstSeen), timing);
}

/** Whether this run's forget is followed by prune: a prune time has passed since the last prune. */
export function isPruneDue(job: JobConfig, state: JobState, now: Date): boolean {
  if (!job.prune.cron || !job.retention) return false;
  const reference = later(state.lastPrune?.time, state.firstSeen);
  if (!reference) return false;
  const next = nextRunAfter({ cron: job.prune.cron, timezone: job.schedule.timezone }, reference);
  return next !== undefined && next <= now;
}

/** When the job becomes OVERDUE: its last success (or first sight) plus one schedule period plus grace. */
export function overdueAt(job: JobConfig, state: JobState): Date | undefined {
  const reference = toDate(state.lastSuccess?.time ?? state.firstSeen);
  if (!reference) return undefined;
  const period = schedulePeriodMs(job.schedule, reference);
  return new Date(reference.getTime() + period + job.schedule.graceMs);
}

export function isOverdue(job: JobConfig, state: JobState, now: Date): boolean {
  const at = overdueAt(job, state);
  return at !== undefined && at <= now;
}

/** When a drill falls due: `remindAfterMs` after the last passed drill (or first sight). */
export function drillDueAt(job: JobConfig, state: JobState): Date | undefined {
  const reference = toDate(state.lastPassedDrill ?? state.firstSeen);
  return reference && new Date(reference.getTime() + job.drill.remindAfterMs);
}

export function isDrillDue(job: JobConfig, state: JobState, now: Date): boolean {
  const at = drillDueAt(job, state);
  return at !== undefined && at <= now;
}

function toDate(iso: string | undefined): Date | undefined {
  return iso === undefined ? undefined : new Date(iso);
}

/** The later of two optional ISO times, as a Date. */
function later(a: string | undefined, b: string | undefined): Date | undefined {
  const times = [a, b].filter((t): t is string => t !== undefined).map((t) => new Date(t).getTime());
  return times.length === 0 ? undefined : new Date(Math.max(...times));
}
