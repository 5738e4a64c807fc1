// planRetention against a plain reference of the rules (reference-policy.ts), over random snapshot
// histories, policies, groupings, clocks and time zones; then the invariants that hold whatever the rules.

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredSnapshot } from '../../src/repository/index.js';
import {
  type GroupBy,
  type GroupPlan,
  parseDuration,
  planRetention,
  type RetentionPolicy,
} from '../../src/retention/index.js';
import { referenceGroupKey, referencePlan } from './reference-policy.js';

// Zones with DST on either hemisphere, half- and quarter-hour offsets, a 30-minute DST shift (Lord Howe),
// and +14 hours (Kiritimati, where the local day differs from the UTC day most of the time).
const ZONES = [
  'UTC',
  'Europe/London',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'America/St_Johns',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
] as const;

const originalTz = process.env.TZ;
afterEach(() => {
  setZone(originalTz);
});

/** planRetention reads periods in the process's local zone; Node re-reads TZ when it is assigned. */
function setZone(zone: string | undefined): void {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2019, 0, 1);
const END = Date.UTC(2029, 0, 1);

interface History {
  readonly snapshots: StoredSnapshot[];
  readonly times: number[];
}

/** Times clustered at every scale (same instant, same hour, same day, weeks, months apart). */
const historyArb: fc.Arbitrary<History> = fc
  .record({
    start: fc.integer({ min: START, max: END - 3 * 365 * DAY }),
    gaps: fc.array(
      fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 2 * HOUR }),
        fc.integer({ min: 1, max: 3 * DAY }),
        fc.integer({ min: 1, max: 10 * DAY }),
        fc.integer({ min: 1, max: 90 * DAY }),
      ),
      { minLength: 1, maxLength: 40 },
    ),
    shape: fc.array(
      fc.record({
        host: fc.constantFrom('clerk-pc', 'hall-pc'),
        paths: fc.constantFrom(['/srv'], ['/srv', '/home'], ['/home', '/srv']),
        tags: fc.subarray(['audit', 'weekly', 'year-end']),
        // How the time is written: coffer's own form, or another valid form of the same instant.
        written: fc.constantFrom('iso', 'offset', 'seconds'),
      }),
      { minLength: 40, maxLength: 40 },
    ),
    idOrder: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 40, maxLength: 40 }),
  })
  .map(({ start, gaps, shape, idOrder }) => {
    let t = start;
    const times = gaps.map((g) => (t += g));
    const snapshots = times.map((time, i) => {
      const s = shape[i]!;
      const id = `${idOrder[i]!.toString(16).padStart(4, '0')}${i.toString(16).padStart(60, '0')}`;
      return snapshotAt(id, time, s.written, { host: s.host, paths: s.paths, tags: s.tags });
    });
    return { snapshots, times };
  });

const durationArb = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.constantFrom('h', 'd', 'w', 'm', 'y')), {
    minLength: 1,
    maxLength: 2,
  })
  .map((parts) => parts.map(([n, u]) => `${n}${u}`).join(''));

const countArb = fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined });

const policyArb: fc.Arbitrary<RetentionPolicy> = fc
  .record({
    last: countArb,
    hourly: countArb,
    daily: countArb,
    weekly: countArb,
    monthly: countArb,
    yearly: countArb,
    within: fc.option(durationArb, { nil: undefined }),
    tags: fc.subarray(['audit', 'weekly', 'nonexistent']),
  })
  .map(({ within, ...rest }) => {
    const p: Record<string, unknown> = { tags: rest.tags };
    for (const k of ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const)
      if (rest[k] !== undefined) p[k] = rest[k];
    if (within !== undefined) p.withinMs = parseDuration(within);
    return p as RetentionPolicy;
  });

const groupByArb: fc.Arbitrary<GroupBy> = fc.subarray(['host', 'paths', 'tags'] as const);

/** Usually after every snapshot; sometimes among them, as when one machine's clock ran ahead. */
function nowArb(times: readonly number[]): fc.Arbitrary<Date> {
  const last = Math.max(...times);
  const first = Math.min(...times);
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.integer({ min: last, max: last + 400 * DAY }) },
      { weight: 1, arbitrary: fc.integer({ min: first - DAY, max: last }) },
    )
    .map((ms) => new Date(ms));
}

const caseArb: fc.Arbitrary<Case> = historyArb.chain((h) =>
  fc.record({
    history: fc.constant(h),
    policy: policyArb,
    groupBy: groupByArb,
    now: nowArb(h.times),
    zone: fc.constantFrom(...ZONES),
  }),
);

interface Case {
  readonly history: History;
  readonly policy: RetentionPolicy;
  readonly groupBy: GroupBy;
  readonly now: Date;
  readonly zone: string;
}

function plan(c: Case): GroupPlan[] {
  setZone(c.zone);
  return planRetention(c.history.snapshots, c.policy, c.groupBy, c.now);
}

const keptIds = (groups: readonly GroupPlan[]): Set<string> =>
  new Set(groups.flatMap((g) => g.keep.map((k) => k.snapshot.id)));

const hasCountOrWithin = (p: RetentionPolicy): boolean =>
  Boolean(p.last || p.hourly || p.daily || p.weekly || p.monthly || p.yearly || p.withinMs !== undefined);

describe('retention policy against the reference rules', () => {
  it('keeps and removes exactly what the reference does, for the same reasons, in every time zone', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const groups = plan(c);
        const expected = referencePlan(c.history.snapshots, c.policy, c.groupBy, c.zone, c.now);
        expect(groups.map((g) => groupKeyOf(g, c.groupBy)).sort()).toEqual([...expected.keys()].sort());
        for (const g of groups) {
          const ref = expected.get(groupKeyOf(g, c.groupBy))!;
          expect(new Map(g.keep.map((k) => [k.snapshot.id, [...k.reasons]]))).toEqual(ref.keep);
          expect(new Set(g.remove.map((s) => s.id))).toEqual(ref.remove);
        }
      }),
      { numRuns: 400, seed: 20261123 },
    );
  });

  it('partitions each group: every snapshot is kept or removed, once, in the group its fields name', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const groups = plan(c);
        const seen = groups.flatMap((g) => [...g.keep.map((k) => k.snapshot), ...g.remove]);
        expect(seen.map((s) => s.id).sort()).toEqual(c.history.snapshots.map((s) => s.id).sort());
        for (const g of groups) {
          const members = [...g.keep.map((k) => k.snapshot), ...g.remove];
          expect(new Set(members.map((s) => referenceGroupKey(s, c.groupBy))).size).toBe(1);
          // Both lists newest first.
          for (const list of [g.keep.map((k) => k.snapshot), g.remove]) {
            const times = list.map((s) => Date.parse(s.snapshot.time));
            expect(times).toEqual([...times].sort((a, b) => b - a));
          }
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('never removes the newest snapshot of a group unless the policy is only keep-tag', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        fc.pre(hasCountOrWithin(c.policy));
        for (const g of plan(c)) {
          const all = [...g.keep.map((k) => k.snapshot), ...g.remove];
          const newest = Math.max(...all.map((s) => Date.parse(s.snapshot.time)));
          const newestKept = g.keep.some((k) => Date.parse(k.snapshot.snapshot.time) === newest);
          expect(newestKept).toBe(true);
        }
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('a count rule keeps at most N snapshots, plus the oldest only when fewer than N periods have one', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        for (const g of plan(c)) {
          for (const unit of ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const) {
            const n = c.policy[unit] ?? 0;
            const counted = g.keep.filter((k) => k.reasons.some((r) => r.startsWith(`${unit} `)));
            const oldest = g.keep.filter((k) => k.reasons.includes(`oldest ${unit}`));
            const size = g.keep.length + g.remove.length;
            expect(counted.length).toBeLessThanOrEqual(Math.min(n, size));
            if (unit === 'last') expect(counted.length).toBe(Math.min(n, size));
            expect(oldest.length).toBeLessThanOrEqual(1);
            if (oldest.length === 1) expect(counted.length).toBeLessThan(n);
          }
        }
      }),
      { numRuns: 200, seed: 13 },
    );
  });

  it('a more generous policy keeps everything a stricter one keeps', () => {
    const more = fc.record({
      counts: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 6, maxLength: 6 }),
      withinExtra: fc.integer({ min: 0, max: 100 * DAY }),
      within: fc.boolean(),
      tag: fc.constantFrom('audit', 'weekly', 'year-end'),
    });
    fc.assert(
      fc.property(caseArb, more, (c, m) => {
        const p = c.policy;
        const units = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
        const generous: RetentionPolicy = {
          ...Object.fromEntries(units.map((u, i) => [u, (p[u] ?? 0) + m.counts[i]!])),
          ...(p.withinMs !== undefined || m.within ? { withinMs: (p.withinMs ?? 0) + m.withinExtra } : {}),
          tags: [...(p.tags ?? []), m.tag],
        };
        const strict = keptIds(plan(c));
        const loose = keptIds(plan({ ...c, policy: generous }));
        for (const id of strict) expect(loose.has(id)).toBe(true);
      }),
      { numRuns: 200, seed: 17 },
    );
  });

  it('is idempotent: planning again over what was kept removes nothing', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const kept = keptIds(plan(c));
        const survivors = c.history.snapshots.filter((s) => kept.has(s.id));
        const again = plan({ ...c, history: { ...c.history, snapshots: survivors } });
        expect(again.flatMap((g) => g.remove.map((s) => s.id))).toEqual([]);
      }),
      { numRuns: 200, seed: 19 },
    );
  });
});

describe('retention policy examples', () => {
  const london = (id: string, iso: string, tags: string[] = []): StoredSnapshot =>
    snapshotAt(id, Date.parse(iso), 'iso', { host: 'pc', paths: ['/srv'], tags });
  const kept = (g: GroupPlan | undefined): string[] => g!.keep.map((k) => k.snapshot.id.slice(0, 2));

  it('days are local days: a backup at 00:30 BST (23:30 UTC the day before) counts for the next day', () => {
    const snaps = [
      london('a1', '2026-06-01T21:30:00Z'), // 22:30 BST, 1 June
      london('b2', '2026-06-01T22:30:00Z'), // 23:30 BST, 1 June
      london('c3', '2026-06-01T23:30:00Z'), // 00:30 BST, 2 June
    ];
    setZone('Europe/London');
    const [bst] = planRetention(snaps, { daily: 2 }, undefined, new Date('2026-07-01T00:00:00Z'));
    expect(kept(bst)).toEqual(['c3', 'b2']);
    // In UTC all three fall on 1 June: the newest is that day's, and the oldest is kept as "oldest daily"
    // because fewer than 2 days have a snapshot.
    setZone('UTC');
    const [utc] = planRetention(snaps, { daily: 2 }, undefined, new Date('2026-07-01T00:00:00Z'));
    expect(utc!.keep.map((k) => [k.snapshot.id.slice(0, 2), k.reasons])).toEqual([
      ['c3', ['daily 1 of 2']],
      ['a1', ['oldest daily']],
    ]);
  });

  it('weeks run Monday to Sunday in local time, across the October clock change', () => {
    setZone('Europe/London');
    const snaps = [
      london('a1', '2026-10-24T12:00:00Z'), // Saturday
      london('b2', '2026-10-25T22:59:00Z'), // Sunday 22:59 GMT (clocks went back that morning)
      london('c3', '2026-10-26T00:30:00Z'), // Monday 00:30 GMT
    ];
    const [g] = planRetention(snaps, { weekly: 2 }, undefined, new Date('2026-11-01T00:00:00Z'));
    expect(kept(g)).toEqual(['c3', 'b2']);
  });

  it('keep-within ignores snapshots dated in the future: a wrong clock cannot make real snapshots look old', () => {
    const snaps = [
      london('a1', '2026-05-01T02:00:00Z'),
      london('b2', '2026-05-08T02:00:00Z'),
      london('f9', '2031-01-01T00:00:00Z'), // a PC whose clock was five years ahead
    ];
    const [g] = planRetention(snaps, { withinMs: parseDuration('30d') }, undefined, new Date('2026-05-09'));
    expect(kept(g)).toEqual(['f9', 'b2', 'a1']);
    // Once the real time passes it, it is the newest like any other.
    const [later] = planRetention(
      snaps,
      { withinMs: parseDuration('30d') },
      undefined,
      new Date('2031-02-01'),
    );
    expect(kept(later)).toEqual(['f9']);
  });

  it('orders by the instant, not the text: times written with an offset or without milliseconds', () => {
    const written = (id: string, time: string): StoredSnapshot => {
      const s = london(id, '2026-01-01T00:00:00Z');
      return { ...s, snapshot: { ...s.snapshot, time } };
    };
    const snaps = [
      written('a1', '2026-01-01T08:00:00.000Z'),
      written('b2', '2026-01-01T12:00:00+05:00'), // 07:00 UTC: an hour older, although its text sorts later
      written('c3', '2026-01-01T09:00:00Z'), // no milliseconds: half a second before d4
      written('d4', '2026-01-01T09:00:00.500Z'),
    ];
    const [g] = planRetention(snaps, { last: 2 }, undefined, new Date('2026-02-01'));
    expect(kept(g)).toEqual(['d4', 'c3']);
    expect(g!.remove.map((s) => s.id.slice(0, 2))).toEqual(['a1', 'b2']);
  });

  it('keeps the oldest snapshot while a rule has periods to spare, as restic does', () => {
    setZone('UTC');
    // Three months of weekly backups under keep-monthly 12: the newest of each month, plus the very first.
    const snaps = Array.from({ length: 13 }, (_, i) =>
      london(`${(10 + i).toString()}`, new Date(Date.UTC(2026, 0, 4 + 7 * i, 2)).toISOString()),
    );
    const [g] = planRetention(snaps, { monthly: 12 }, undefined, new Date('2026-06-01'));
    expect(g!.keep.map((k) => [k.snapshot.snapshot.time.slice(0, 10), k.reasons])).toEqual([
      ['2026-03-29', ['monthly 1 of 12']],
      ['2026-02-22', ['monthly 2 of 12']],
      ['2026-01-25', ['monthly 3 of 12']],
      ['2026-01-04', ['oldest monthly']],
    ]);
  });
});

function groupKeyOf(g: GroupPlan, groupBy: GroupBy): string {
  const member = g.keep[0]?.snapshot ?? g.remove[0]!;
  return referenceGroupKey(member, groupBy);
}

function snapshotAt(
  id: string,
  ms: number,
  written: 'iso' | 'offset' | 'seconds',
  extra: { host: string; paths: readonly string[]; tags: readonly string[] },
): StoredSnapshot {
  return {
    id: id.padEnd(64, '0'),
    snapshot: {
      version: 1,
      time: writeTime(ms, written),
      tree: 'a'.repeat(64),
      paths: extra.paths,
      host: extra.host,
      user: 'clerk',
      tags: extra.tags,
      program: 'test',
    },
  };
}

/** The same instant written three valid ways (RFC 3339): coffer's, with an offset, whole seconds. */
function writeTime(ms: number, written: 'iso' | 'offset' | 'seconds'): string {
  if (written === 'iso') return new Date(ms).toISOString();
  if (written === 'seconds') return `${new Date(ms - (ms % 1000)).toISOString().slice(0, 19)}Z`;
  const offsetMin = 330; // +05:30
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
  return `${local}+05:30`;
}
