// The schedule with an injected "now": time zones, the clock changes of March and October, catch-up after
// downtime (once, not once per missed week), retries, prune cadence, OVERDUE and drill reminders.

import { describe, expect, it } from 'vitest';
import {
  catchUpDelayMs,
  isDrillDue,
  isDue,
  isOverdue,
  isPruneDue,
  nextRunAfter,
  overdueAt,
  plannedBackup,
  plannedDrill,
  schedulePeriodMs,
  type JobState,
} from '../../src/daemon/index.js';
import { at, makeJob } from './fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const london = (cron: string) => ({ cron, timezone: 'Europe/London' });

describe('next run in a time zone', () => {
  it('runs a weekly Sunday 02:00 job at 02:00 London time in winter (GMT) and summer (BST)', () => {
    expect(nextRunAfter(london('0 2 * * 0'), at('2026-01-07T12:00:00Z'))).toEqual(at('2026-01-11T02:00:00Z'));
    expect(nextRunAfter(london('0 2 * * 0'), at('2026-07-01T12:00:00Z'))).toEqual(at('2026-07-05T01:00:00Z'));
  });

  it('reads the same cron in another zone as that zone’s wall clock', () => {
    const ny = nextRunAfter({ cron: '0 2 * * 0', timezone: 'America/New_York' }, at('2026-01-07T12:00:00Z'));
    expect(ny).toEqual(at('2026-01-11T07:00:00Z'));
  });

  it('on the spring-forward day (29 March 2026) a daily 01:30 job, whose time does not exist, runs once at 02:00 BST', () => {
    const schedule = london('30 1 * * *');
    const runs: Date[] = [];
    let t = at('2026-03-27T12:00:00Z');
    for (let i = 0; i < 4; i++) runs.push((t = nextRunAfter(schedule, t)!));
    expect(runs.map((d) => d.toISOString())).toEqual([
      '2026-03-28T01:30:00.000Z', // 01:30 GMT
      '2026-03-29T01:00:00.000Z', // 01:30 is skipped; 02:00 BST is the first valid time after the gap
      '2026-03-30T00:30:00.000Z', // 01:30 BST
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('on the fall-back day (25 October 2026) a daily 01:30 job, whose time happens twice, runs once', () => {
    const schedule = london('30 1 * * *');
    const runs: Date[] = [];
    let t = at('2026-10-24T12:00:00Z');
    for (let i = 0; i < 3; i++) runs.push((t = nextRunAfter(schedule, t)!));
    expect(runs.map((d) => d.toISOString())).toEqual([
      '2026-10-25T00:30:00.000Z', // the first 01:30 (BST); the second (01:30 GMT = 01:30Z) is not a run
      '2026-10-26T01:30:00.000Z',
      '2026-10-27T01:30:00.000Z',
    ]);
  });

  it('a daemon living through the October change runs the 01:30 job once that night', () => {
    const job = makeJob({ schedule: { ...london('30 1 * * *'), graceMs: DAY } });
    let state: JobState = { firstSeen: '2026-10-20T00:00:00Z', lastAttempt: '2026-10-24T00:30:00Z' };
    const startedAt = at('2026-10-20T00:00:00Z');
    const starts: string[] = [];
    // every 10 minutes from Saturday noon to Monday noon
    for (
      let t = at('2026-10-24T12:00:00Z').getTime();
      t < at('2026-10-26T12:00:00Z').getTime();
      t += 10 * 60_000
    ) {
      const now = new Date(t);
      if (isDue(job, state, { now, startedAt, catchUpDelayMs: 0 })) {
        starts.push(now.toISOString());
        state = { ...state, lastAttempt: now.toISOString() };
      }
    }
    expect(starts).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });
});

describe('catch-up after downtime', () => {
  const job = makeJob();
  // last ran Sunday 1 March 2026; the machine was off for three Sundays; started Tuesday 24 March
  const state: JobState = { firstSeen: '2026-01-01T00:00:00Z', lastAttempt: '2026-03-01T02:00:00Z' };
  const startedAt = at('2026-03-24T09:00:00Z');

  it('plans one run soon after start, after the random delay', () => {
    const delay = catchUpDelayMs(10 * 60_000, () => 0.5);
    expect(delay).toBe(5 * 60_000);
    const planned = plannedBackup(job, state, { now: startedAt, startedAt, catchUpDelayMs: delay });
    expect(planned).toEqual({ at: at('2026-03-24T09:05:00Z'), catchUp: true, retry: false });
    expect(isDue(job, state, { now: startedAt, startedAt, catchUpDelayMs: delay })).toBe(false);
    expect(isDue(job, state, { now: at('2026-03-24T09:05:00Z'), startedAt, catchUpDelayMs: delay })).toBe(
      true,
    );
  });

  it('once: after the catch-up run the next run is the next Sunday, not another missed one', () => {
    const after = { ...state, lastAttempt: '2026-03-24T09:05:00Z' };
    const now = at('2026-03-24T10:00:00Z');
    const planned = plannedBackup(job, after, { now, startedAt, catchUpDelayMs: 5 * 60_000 });
    expect(planned).toEqual({ at: at('2026-03-29T01:00:00Z'), catchUp: false, retry: false });
  });

  it('does not catch up when nothing was missed', () => {
    const recent = { ...state, lastAttempt: '2026-03-22T02:00:00Z' };
    const planned = plannedBackup(job, recent, { now: startedAt, startedAt, catchUpDelayMs: 60_000 });
    expect(planned).toEqual({ at: at('2026-03-29T01:00:00Z'), catchUp: false, retry: false });
  });

  it('a job never run waits for its first scheduled time rather than starting at once', () => {
    const fresh: JobState = { firstSeen: startedAt.toISOString() };
    const planned = plannedBackup(job, fresh, { now: startedAt, startedAt, catchUpDelayMs: 0 });
    expect(planned?.at).toEqual(at('2026-03-29T01:00:00Z'));
  });

  it('a job the daemon has never seen has no plan yet', () => {
    expect(plannedBackup(job, {}, { now: startedAt, startedAt, catchUpDelayMs: 0 })).toBeUndefined();
  });

  it('the delay stays within 0 and the maximum whatever the random source says', () => {
    expect(catchUpDelayMs(60_000, () => 0)).toBe(0);
    expect(catchUpDelayMs(60_000, () => 0.999_999_999)).toBeLessThan(60_000);
    expect(catchUpDelayMs(60_000, () => 7)).toBeLessThan(60_000);
    expect(catchUpDelayMs(0, () => 0.5)).toBe(0);
  });
});

describe('retries', () => {
  const job = makeJob();
  const startedAt = at('2026-03-01T00:00:00Z');

  it('plans a pending retry before the next scheduled run while its window lasts', () => {
    const state: JobState = {
      firstSeen: '2026-01-01T00:00:00Z',
      lastAttempt: '2026-03-01T02:00:00Z',
      retry: { attempt: 2, at: '2026-03-01T02:10:00Z', windowEndsAt: '2026-03-01T04:00:00Z' },
    };
    const now = at('2026-03-01T02:05:00Z');
    expect(plannedBackup(job, state, { now, startedAt, catchUpDelayMs: 0 })).toEqual({
      at: at('2026-03-01T02:10:00Z'),
      catchUp: false,
      retry: true,
    });
    // once the window has passed (the daemon was down), the retry is dropped for the schedule
    const late = at('2026-03-02T09:00:00Z');
    expect(plannedBackup(job, state, { now: late, startedAt, catchUpDelayMs: 0 })?.retry).toBe(false);
  });
});

describe('prune cadence', () => {
  const job = makeJob({ retention: { last: 4 }, prune: { cron: '0 3 1 * *' } });

  it('is due with the first run after the 1st of the month, and not again until the next 1st', () => {
    const state: JobState = {
      firstSeen: '2026-01-01T00:00:00Z',
      lastPrune: { time: '2026-02-01T03:00:00Z', summary: '' },
    };
    expect(isPruneDue(job, state, at('2026-02-22T02:00:00Z'))).toBe(false);
    expect(isPruneDue(job, state, at('2026-03-01T02:00:00Z'))).toBe(false); // 02:00 is before 03:00
    expect(isPruneDue(job, state, at('2026-03-08T02:00:00Z'))).toBe(true);
    const pruned = { ...state, lastPrune: { time: '2026-03-08T02:30:00Z', summary: '' } };
    expect(isPruneDue(job, pruned, at('2026-03-15T02:00:00Z'))).toBe(false);
  });

  it('never prunes without a retention policy or a prune schedule', () => {
    const state: JobState = { firstSeen: '2020-01-01T00:00:00Z' };
    expect(isPruneDue(makeJob({ prune: { cron: '0 3 1 * *' } }), state, at('2026-03-08T02:00:00Z'))).toBe(
      false,
    );
    expect(isPruneDue(makeJob({ retention: { last: 4 } }), state, at('2026-03-08T02:00:00Z'))).toBe(false);
  });
});

describe('OVERDUE', () => {
  const job = makeJob(); // weekly, grace 1 day

  it('is one schedule period plus the grace after the last success', () => {
    const state: JobState = {
      firstSeen: '2026-01-01T00:00:00Z',
      lastSuccess: {
        time: '2026-01-11T02:05:00Z',
        snapshot: 'a',
        bytesAdded: 0,
        filesNew: 0,
        filesChanged: 0,
      },
    };
    expect(overdueAt(job, state)).toEqual(at('2026-01-19T02:05:00Z'));
    expect(isOverdue(job, state, at('2026-01-19T02:04:00Z'))).toBe(false);
    expect(isOverdue(job, state, at('2026-01-19T02:05:00Z'))).toBe(true);
  });

  it('for a job that never succeeded, counts from when the daemon first saw it', () => {
    const state: JobState = { firstSeen: '2026-01-07T12:00:00Z' };
    expect(isOverdue(job, state, at('2026-01-15T11:00:00Z'))).toBe(false);
    expect(isOverdue(job, state, at('2026-01-15T12:00:00Z'))).toBe(true);
    expect(isOverdue(job, {}, at('2030-01-01T00:00:00Z'))).toBe(false);
  });

  it('takes the longest gap of an uneven schedule as its period', () => {
    const monThu = { cron: '0 2 * * 1,4', timezone: 'Europe/London' };
    expect(schedulePeriodMs(monThu, at('2026-01-05T03:00:00Z'))).toBe(4 * DAY);
    expect(schedulePeriodMs(london('0 2 * * 0'), at('2026-01-05T03:00:00Z'))).toBe(7 * DAY);
  });
});

describe('drills', () => {
  it('a drill is due when none has passed within remind-after', () => {
    const job = makeJob({ drill: { remindAfterMs: 365 * DAY } });
    const state: JobState = { firstSeen: '2025-01-01T00:00:00Z', lastPassedDrill: '2025-06-01T00:00:00Z' };
    expect(isDrillDue(job, state, at('2026-05-31T00:00:00Z'))).toBe(false);
    expect(isDrillDue(job, state, at('2026-06-02T00:00:00Z'))).toBe(true);
    expect(isDrillDue(job, { firstSeen: '2026-01-01T00:00:00Z' }, at('2026-06-02T00:00:00Z'))).toBe(false);
  });

  it('plans scheduled drills on their own cron, in the job’s time zone', () => {
    const job = makeJob({ drill: { cron: '0 4 1 1,7 *', samplePercent: 5, remindAfterMs: 365 * DAY } });
    const state: JobState = { firstSeen: '2026-02-01T00:00:00Z' };
    const now = at('2026-02-02T00:00:00Z');
    expect(plannedDrill(job, state, { now, startedAt: now, catchUpDelayMs: 0 })?.at).toEqual(
      at('2026-07-01T03:00:00Z'),
    );
    expect(plannedDrill(makeJob(), state, { now, startedAt: now, catchUpDelayMs: 0 })).toBeUndefined();
  });
});
