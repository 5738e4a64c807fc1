import { describe, expect, it } from 'vitest';
import type { StoredSnapshot } from '../../src/repository/index.js';
import { parseDuration, planRetention } from '../../src/retention/index.js';

function snap(
  id: string,
  time: string,
  extra: { host?: string; tags?: string[]; paths?: string[] } = {},
): StoredSnapshot {
  return {
    id: id.padEnd(64, '_'),
    snapshot: {
      version: 1,
      time,
      tree: 'a'.repeat(64),
      paths: extra.paths ?? ['/srv'],
      host: extra.host ?? 'pc',
      user: 'u',
      tags: extra.tags ?? [],
      program: 'test',
    },
  };
}

/** A year of Sunday 02:00 backups (local time), newest last. */
function weeklyYear(): StoredSnapshot[] {
  const out: StoredSnapshot[] = [];
  const start = new Date(2025, 0, 5, 2, 0, 0); // a Sunday
  for (let i = 0; i < 60; i++) {
    const d = new Date(start.getTime() + i * 7 * 86_400_000);
    out.push(snap(`w${String(i).padStart(2, '0')}`, d.toISOString()));
  }
  return out;
}

const ids = (xs: readonly { id: string }[]): string[] => xs.map((x) => x.id.replace(/_+$/, ''));

describe('retention policy', () => {
  it('keep-last keeps the newest N, the rest go', () => {
    const [g] = planRetention(weeklyYear(), { last: 3 });
    expect(ids(g!.keep.map((k) => k.snapshot))).toEqual(['w59', 'w58', 'w57']);
    expect(g!.remove).toHaveLength(57);
    expect(g!.keep[0]!.reasons).toEqual(['last 1 of 3']);
  });

  it('keep-weekly 52 and keep-monthly 24 over weekly backups: the last 52 weeks plus the newest of older months', () => {
    const all = weeklyYear();
    const [g] = planRetention(all, { weekly: 52, monthly: 24 });
    const kept = new Set(ids(g!.keep.map((k) => k.snapshot)));
    for (let i = 8; i < 60; i++) expect(kept.has(`w${String(i).padStart(2, '0')}`)).toBe(true);
    // Among the 8 oldest weeks only the newest snapshot of each month survives, and the very first one:
    // fewer than 24 months have a snapshot, so the oldest is kept too (as restic does).
    const oldKept = [...kept].filter((id) => Number(id.slice(1)) < 8 && id !== 'w00');
    const months = new Set(
      all
        .filter((s) => oldKept.includes(s.id.replace(/_+$/, '')))
        .map((s) => new Date(s.snapshot.time).getMonth()),
    );
    expect(oldKept.length).toBe(months.size);
    expect(g!.keep.find((k) => k.snapshot.id.startsWith('w00'))!.reasons).toEqual(['oldest monthly']);
    expect(g!.keep.find((k) => k.snapshot.id.startsWith('w59'))!.reasons).toEqual([
      'weekly 1 of 52',
      'monthly 1 of 24',
    ]);
  });

  it('keep-within keeps everything within the period of the newest snapshot; keep-tag keeps tagged ones', () => {
    const snaps = [
      snap('a', '2026-01-01T00:00:00Z', { tags: ['audit'] }),
      snap('b', '2026-06-01T00:00:00Z'),
      snap('c', '2026-06-20T00:00:00Z'),
    ];
    const [g] = planRetention(snaps, { withinMs: parseDuration('30d'), tags: ['audit'] });
    expect(ids(g!.keep.map((k) => k.snapshot)).sort()).toEqual(['a', 'b', 'c']);
    const [h] = planRetention(snaps, { withinMs: parseDuration('10d') });
    expect(ids(h!.keep.map((k) => k.snapshot))).toEqual(['c']);
  });

  it('plans each host and set of paths apart', () => {
    const snaps = [
      snap('a', '2026-01-01T00:00:00Z', { host: 'clerk-pc' }),
      snap('b', '2026-01-02T00:00:00Z', { host: 'clerk-pc' }),
      snap('c', '2026-01-01T00:00:00Z', { host: 'hall-pc' }),
    ];
    const groups = planRetention(snaps, { last: 1 });
    expect(groups.map((g) => [g.key.host, ids(g.keep.map((k) => k.snapshot)), ids(g.remove)])).toEqual([
      ['clerk-pc', ['b'], ['a']],
      ['hall-pc', ['c'], []],
    ]);
    expect(planRetention(snaps, { last: 1 }, ['paths'])).toHaveLength(1);
  });

  it('parses durations and refuses nonsense', () => {
    expect(parseDuration('1y2m')).toBe((365 + 60) * 86_400_000);
    expect(parseDuration('48h')).toBe(2 * 86_400_000);
    expect(() => parseDuration('soon')).toThrow(/give a duration/);
    expect(() => parseDuration('3d extra')).toThrow(/give a duration/);
  });
});
