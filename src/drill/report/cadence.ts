// The backup cadence over a year: every ISO week marked backed up, missed, in progress, still to come, or
// before the repository existed, from the snapshots' times read in the council's time zone.

import { civilDate, isoWeekOf, isoWeeks } from './calendar-weeks.js';
import type { Cadence, WeekMark, WeekStatus } from './report-data.js';

export function backupCadence(
  year: number,
  snapshotTimes: readonly string[],
  opts: { now: Date; created: Date; timeZone: string },
): Cadence {
  const perWeek = new Map<number, number>();
  let snapshots = 0;
  let lastSnapshot: string | undefined;
  for (const time of snapshotTimes) {
    const at = new Date(time);
    if (Number.isNaN(at.getTime()) || at > opts.now) continue;
    const { year: y, week } = isoWeekOf(civilDate(at, opts.timeZone));
    if (y !== year) continue;
    perWeek.set(week, (perWeek.get(week) ?? 0) + 1);
    snapshots++;
    if (!lastSnapshot || time > lastSnapshot) lastSnapshot = time;
  }
  const today = civilDate(opts.now, opts.timeZone);
  const createdDay = civilDate(opts.created, opts.timeZone);
  const weeks: WeekMark[] = isoWeeks(year).map(({ week, start, end }) => {
    const count = perWeek.get(week) ?? 0;
    return { week, start, end, snapshots: count, status: statusOf(count, start, end, today, createdDay) };
  });
  const backedUp = weeks.filter((w) => w.status === 'backed-up').length;
  const missed = weeks.filter((w) => w.status === 'missed').length;
  return {
    weeks,
    backedUp,
    missed,
    expected: backedUp + missed,
    snapshots,
    ...(lastSnapshot ? { lastSnapshot } : {}),
  };
}

function statusOf(count: number, start: string, end: string, today: string, created: string): WeekStatus {
  if (count > 0) return 'backed-up';
  if (start > today) return 'future';
  if (end < created) return 'before';
  return end < today ? 'missed' : 'in-progress';
}
