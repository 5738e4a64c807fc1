// A deliberately plain restatement of the retention rules (restic's `forget`, with coffer's documented
// differences), written from the documentation rather than from src/retention/policy.ts, so the property
// tests compare two independent readings of the same rules. Slow and obvious on purpose.
//
// The rules, per group of snapshots sharing the --group-by fields:
// - keep-last N: the N newest snapshots.
// - keep-hourly/daily/weekly/monthly/yearly N: list the distinct periods that hold a snapshot, newest
//   first; keep the newest snapshot of each of the first N. If fewer than N periods hold a snapshot, the
//   group's oldest snapshot is kept too ("oldest", as restic 0.17 does), so a young repository keeps its
//   full history. Periods are calendar periods in the given time zone; weeks are ISO weeks (Monday to
//   Sunday, week 1 holds the year's first Thursday).
// - keep-within D: every snapshot no more than D before the group's newest snapshot, where snapshots
//   later than `now` are not counted as the newest (a wrong clock must not make older ones look old).
//   coffer differences: D is fixed milliseconds (months of 30 days, years of 365), and a snapshot exactly
//   D before is kept (restic keeps only those strictly newer).
// - keep-tag T: every snapshot carrying tag T.
// Anything no rule keeps is removed.

import type { StoredSnapshot } from '../../src/repository/index.js';
import type { GroupBy, RetentionPolicy } from '../../src/retention/index.js';

export interface ReferenceGroup {
  readonly key: string;
  /** id -> reasons, for the kept snapshots. */
  readonly keep: Map<string, string[]>;
  readonly remove: Set<string>;
}

type Unit = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';
const UNITS: readonly Unit[] = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'];

export function referencePlan(
  snapshots: readonly StoredSnapshot[],
  policy: RetentionPolicy,
  groupBy: GroupBy,
  timeZone: string,
  now: Date,
): Map<string, ReferenceGroup> {
  const out = new Map<string, ReferenceGroup>();
  for (const s of snapshots) {
    const key = referenceGroupKey(s, groupBy);
    if (!out.has(key)) out.set(key, { key, keep: new Map(), remove: new Set() });
  }
  for (const group of out.values()) {
    const members = snapshots.filter((s) => referenceGroupKey(s, groupBy) === group.key);
    planOneGroup(members, policy, timeZone, now, group);
  }
  return out;
}

export function referenceGroupKey(s: StoredSnapshot, groupBy: GroupBy): string {
  const parts: string[] = [];
  if (groupBy.includes('host')) parts.push(`host=${s.snapshot.host}`);
  if (groupBy.includes('paths')) parts.push(`paths=${[...s.snapshot.paths].sort().join('|')}`);
  if (groupBy.includes('tags')) parts.push(`tags=${[...s.snapshot.tags].sort().join('|')}`);
  return parts.join(' ');
}

function planOneGroup(
  members: readonly StoredSnapshot[],
  policy: RetentionPolicy,
  timeZone: string,
  now: Date,
  into: ReferenceGroup,
): void {
  // Newest first; equal times fall back to the id, largest first.
  const sorted = [...members].sort((a, b) => {
    const dt = Date.parse(b.snapshot.time) - Date.parse(a.snapshot.time);
    if (dt !== 0) return dt;
    return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
  });
  const reasons = new Map<string, string[]>();
  const give = (s: StoredSnapshot, reason: string): void => {
    reasons.set(s.id, [...(reasons.get(s.id) ?? []), reason]);
  };

  const last = policy.last ?? 0;
  for (let i = 0; i < sorted.length && i < last; i++) give(sorted[i]!, `last ${i + 1} of ${last}`);

  for (const unit of UNITS) {
    const wanted = policy[unit] ?? 0;
    if (wanted === 0) continue;
    const periods: string[] = [];
    for (const s of sorted) {
      const period = periodOf(new Date(s.snapshot.time), unit, timeZone);
      if (periods.includes(period)) continue; // an older snapshot of a period already counted
      if (periods.length === wanted) break;
      periods.push(period);
      give(s, `${unit} ${periods.length} of ${wanted}`);
    }
    const oldest = sorted.at(-1);
    if (periods.length < wanted && oldest && !hasReasonFor(reasons, oldest.id, unit)) {
      give(oldest, `oldest ${unit}`);
    }
  }

  if (policy.withinMs !== undefined) {
    const notLater = sorted.filter((s) => Date.parse(s.snapshot.time) <= now.getTime());
    // No snapshot at or before `now`: every one is "later", none is old.
    const newest = notLater.length > 0 ? Date.parse(notLater[0]!.snapshot.time) : Number.NEGATIVE_INFINITY;
    for (const s of sorted) {
      if (newest - Date.parse(s.snapshot.time) <= policy.withinMs) give(s, 'within the kept period');
    }
  }

  for (const tag of policy.tags ?? []) {
    for (const s of sorted) if (s.snapshot.tags.includes(tag)) give(s, `tagged ${tag}`);
  }

  for (const s of sorted) {
    const r = reasons.get(s.id);
    if (r) into.keep.set(s.id, r);
    else into.remove.add(s.id);
  }
}

function hasReasonFor(reasons: Map<string, string[]>, id: string, unit: Unit): boolean {
  return (reasons.get(id) ?? []).some((r) => r.startsWith(`${unit} `));
}

/** The calendar period of `d` in `timeZone`, read through Intl rather than Date's local getters. */
export function periodOf(d: Date, unit: Unit, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const field = (type: string): number => Number(parts.find((p) => p.type === type)!.value);
  const [year, month, day, hour] = [field('year'), field('month'), field('day'), field('hour')];
  switch (unit) {
    case 'hourly':
      return `${year}-${month}-${day} ${hour}h`;
    case 'daily':
      return `${year}-${month}-${day}`;
    case 'weekly':
      return isoWeekOf(year, month, day);
    case 'monthly':
      return `${year}-${month}`;
    case 'yearly':
      return `${year}`;
  }
}

/** ISO week of a calendar date, counted on a plain day number line (no time zones involved). */
function isoWeekOf(year: number, month: number, day: number): string {
  const dayNumber = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / 86_400_000;
  const today = dayNumber(year, month, day);
  const weekday = (((today + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday: Monday = 0
  const thursday = today - weekday + 3; // the week belongs to the year of its Thursday
  const weekYear = new Date(thursday * 86_400_000).getUTCFullYear();
  const week = Math.floor((thursday - dayNumber(weekYear, 1, 1)) / 7) + 1;
  return `${weekYear}-W${week}`;
}
