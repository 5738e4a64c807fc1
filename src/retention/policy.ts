// Retention policies as restic users know them: keep the last N, the newest per hour/day/week/month/year
// for the N most recent such periods, everything within a duration of the newest snapshot, and tagged ones.
// A pure function from snapshots to a plan, so `forget --dry-run` and tests need no I/O.

import { UsageError } from '../errors.js';
import type { StoredSnapshot } from '../repository/index.js';

export interface RetentionPolicy {
  readonly last?: number;
  readonly hourly?: number;
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
  readonly yearly?: number;
  /** Keep snapshots no older than this many milliseconds before the group's newest snapshot. */
  readonly withinMs?: number;
  readonly tags?: readonly string[];
}

export type GroupBy = readonly ('host' | 'paths' | 'tags')[];

export interface GroupPlan {
  /** What the group shares, e.g. { host: 'pc', paths: ['/srv'] }. */
  readonly key: { host?: string; paths?: readonly string[]; tags?: readonly string[] };
  /** Newest first, each with the rules that keep it. */
  readonly keep: readonly { readonly snapshot: StoredSnapshot; readonly reasons: readonly string[] }[];
  readonly remove: readonly StoredSnapshot[];
}

export function isEmptyPolicy(p: RetentionPolicy): boolean {
  return (
    !p.last &&
    !p.hourly &&
    !p.daily &&
    !p.weekly &&
    !p.monthly &&
    !p.yearly &&
    !p.withinMs &&
    !(p.tags && p.tags.length > 0)
  );
}

type Bucket = (d: Date) => string;

const BUCKETS: readonly [
  keyof RetentionPolicy & ('hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly'),
  string,
  Bucket,
][] = [
  ['hourly', 'hourly', (d) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}-${d.getHours()}`],
  ['daily', 'daily', (d) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`],
  ['weekly', 'weekly', isoWeek],
  ['monthly', 'monthly', (d) => `${d.getFullYear()}-${d.getMonth()}`],
  ['yearly', 'yearly', (d) => `${d.getFullYear()}`],
];

/**
 * Plans which snapshots each group keeps and why. Periods are read in the machine's local time zone;
 * `now` only matters to keep-within, which does not count snapshots later than it as the newest.
 */
export function planRetention(
  snapshots: readonly StoredSnapshot[],
  policy: RetentionPolicy,
  groupBy: GroupBy = ['host', 'paths'],
  now: Date = new Date(),
): GroupPlan[] {
  const groups = new Map<string, StoredSnapshot[]>();
  for (const s of snapshots) {
    const key = JSON.stringify(groupKey(s, groupBy));
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups].map(([key, members]) =>
    planGroup(JSON.parse(key) as GroupPlan['key'], members, policy, now),
  );
}

function planGroup(
  key: GroupPlan['key'],
  members: readonly StoredSnapshot[],
  policy: RetentionPolicy,
  now: Date,
): GroupPlan {
  // By the instant, not the text: a time written with an offset or without milliseconds still sorts right.
  const newestFirst = [...members].sort(
    (a, b) => timeOf(b) - timeOf(a) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0),
  );
  const reasons = new Map<string, string[]>(newestFirst.map((s) => [s.id, []]));
  newestFirst
    .slice(0, policy.last ?? 0)
    .forEach((s, i) => reasons.get(s.id)!.push(`last ${i + 1} of ${policy.last}`));
  for (const [option, label, bucket] of BUCKETS) {
    const wanted = policy[option] ?? 0;
    if (wanted === 0) continue;
    const seen = new Set<string>();
    let oldestKept = false;
    for (const s of newestFirst) {
      if (seen.size >= wanted) break;
      const b = bucket(new Date(timeOf(s)));
      if (seen.has(b)) continue;
      seen.add(b);
      reasons.get(s.id)!.push(`${label} ${seen.size} of ${wanted}`);
      oldestKept = s === newestFirst.at(-1);
    }
    // Fewer periods than asked for: keep the oldest snapshot too, so a young repository keeps its whole
    // history (restic 0.17 does the same and calls it "oldest").
    if (seen.size < wanted && !oldestKept) reasons.get(newestFirst.at(-1)!.id)!.push(`oldest ${label}`);
  }
  if (policy.withinMs !== undefined && newestFirst.length > 0) {
    // A snapshot dated after `now` (a wrong clock) does not count as the newest, or it would make every
    // real snapshot look old; when all are later than now, none is old.
    const newest = newestFirst.find((s) => timeOf(s) <= now.getTime());
    const from = newest ? timeOf(newest) : Number.NEGATIVE_INFINITY;
    for (const s of newestFirst) {
      if (from - timeOf(s) <= policy.withinMs) reasons.get(s.id)!.push('within the kept period');
    }
  }
  for (const tag of policy.tags ?? []) {
    for (const s of newestFirst) if (s.snapshot.tags.includes(tag)) reasons.get(s.id)!.push(`tagged ${tag}`);
  }
  return {
    key,
    keep: newestFirst
      .filter((s) => reasons.get(s.id)!.length > 0)
      .map((s) => ({ snapshot: s, reasons: reasons.get(s.id)! })),
    remove: newestFirst.filter((s) => reasons.get(s.id)!.length === 0),
  };
}

function timeOf(s: StoredSnapshot): number {
  return Date.parse(s.snapshot.time);
}

function groupKey(s: StoredSnapshot, by: GroupBy): GroupPlan['key'] {
  return {
    ...(by.includes('host') ? { host: s.snapshot.host } : {}),
    ...(by.includes('paths') ? { paths: [...s.snapshot.paths].sort() } : {}),
    ...(by.includes('tags') ? { tags: [...s.snapshot.tags].sort() } : {}),
  };
}

/** ISO 8601 week, e.g. 2026-W48 (weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(d: Date): string {
  const day = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const weekday = (day.getDay() + 6) % 7;
  day.setDate(day.getDate() - weekday + 3);
  const firstThursday = new Date(day.getFullYear(), 0, 4);
  const week =
    1 +
    Math.round(
      ((day.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getDay() + 6) % 7)) / 7,
    );
  return `${day.getFullYear()}-W${week}`;
}

/** Parses durations like 30d, 12w, 6m (months of 30 days), 1y, 48h, or combinations such as 1y6m. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = {
    h: 3_600_000,
    d: 86_400_000,
    w: 7 * 86_400_000,
    m: 30 * 86_400_000,
    y: 365 * 86_400_000,
  };
  const parts = [...text.matchAll(/(\d+)([hdwmy])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`--keep-within ${text}: give a duration such as 30d, 12w, 6m or 1y2m`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0);
}
