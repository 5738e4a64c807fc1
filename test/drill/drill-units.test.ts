// The pure parts of drills and the report: ISO weeks in a time zone, the cadence of a year, the sample,
// path sets, RTO verdicts, the --rto parser, and the scratch folder's refusals (links included).

import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateTarget, type Measurement, parseRtoDuration, sampleItems } from '../../src/drill/index.js';
import { outermost } from '../../src/drill/drill-plan.js';
import { backupCadence } from '../../src/drill/report/cadence.js';
import { civilDate, isoWeekOf, isoWeeks } from '../../src/drill/report/calendar-weeks.js';
import { prepareScratch } from '../../src/drill/scratch.js';
import { UsageError } from '../../src/errors.js';

describe('ISO weeks', () => {
  it('has 53 weeks in 2026 and 52 in 2025, each Monday to Sunday', () => {
    const w2026 = isoWeeks(2026);
    expect(w2026).toHaveLength(53);
    expect(w2026[0]).toEqual({ week: 1, start: '2025-12-29', end: '2026-01-04' });
    expect(w2026.at(-1)).toEqual({ week: 53, start: '2026-12-28', end: '2027-01-03' });
    expect(isoWeeks(2025)).toHaveLength(52);
    expect(isoWeekOf('2027-01-01')).toEqual({ year: 2026, week: 53 });
    expect(isoWeekOf('2024-12-30')).toEqual({ year: 2025, week: 1 });
  });

  it("reads a Sunday-night backup in the council's time zone, across the clock change", () => {
    // 23:30 UTC on Sunday 29 March 2026 is 00:30 on Monday in London (BST began that morning).
    const late = new Date('2026-03-29T23:30:00Z');
    expect(civilDate(late, 'UTC')).toBe('2026-03-29');
    expect(civilDate(late, 'Europe/London')).toBe('2026-03-30');
    const cadence = (timeZone: string) =>
      backupCadence(2026, [late.toISOString()], {
        now: new Date('2026-04-20T12:00:00Z'),
        created: new Date('2026-03-23T00:00:00Z'),
        timeZone,
      });
    expect(
      cadence('UTC')
        .weeks.filter((w) => w.status === 'backed-up')
        .map((w) => w.week),
    ).toEqual([13]);
    expect(
      cadence('Europe/London')
        .weeks.filter((w) => w.status === 'backed-up')
        .map((w) => w.week),
    ).toEqual([14]);
  });

  it('does not count weeks before the repository existed, nor the week in progress', () => {
    const c = backupCadence(2026, ['2026-03-04T10:00:00Z'], {
      now: new Date('2026-03-18T12:00:00Z'),
      created: new Date('2026-02-25T09:00:00Z'),
      timeZone: 'Europe/London',
    });
    const status = (week: number): string => c.weeks.find((w) => w.week === week)!.status;
    expect(status(8)).toBe('before');
    expect(status(9)).toBe('missed');
    expect(status(10)).toBe('backed-up');
    expect(status(11)).toBe('missed');
    expect(status(12)).toBe('in-progress');
    expect(status(13)).toBe('future');
    expect({ backedUp: c.backedUp, missed: c.missed, expected: c.expected }).toEqual({
      backedUp: 1,
      missed: 2,
      expected: 3,
    });
  });
});

describe('samples and path sets', () => {
  const paths = Array.from({ length: 1000 }, (_, i) => Buffer.from(`srv/docs/file-${i}.pdf`));

  it('picks about the asked share, the same files for the same seed, other files for another', () => {
    const a = sampleItems(paths, (p) => p, 10, 'seed-a');
    expect(a.length).toBeGreaterThan(60);
    expect(a.length).toBeLessThan(140);
    expect(sampleItems(paths, (p) => p, 10, 'seed-a')).toEqual(a);
    expect(sampleItems(paths, (p) => p, 10, 'seed-b')).not.toEqual(a);
    expect(sampleItems(paths, (p) => p, 100, 'x')).toHaveLength(1000);
  });

  it('always takes at least one file when there are any', () => {
    expect(sampleItems(paths.slice(0, 3), (p) => p, 0.001, 's')).toHaveLength(1);
    expect(sampleItems([], (p: Buffer) => p, 5, 's')).toEqual([]);
  });

  it('keeps only the outermost of nested paths, normalized', () => {
    expect(outermost(['/srv/a/b/', '/srv/a', 'srv/c', '/srv/ab', '/srv/a/../d'])).toEqual([
      '/srv/a',
      '/srv/ab',
      '/srv/c',
      '/srv/d',
    ]);
    expect(outermost(['/', '/srv'])).toEqual(['/']);
  });
});

describe('RTO verdicts', () => {
  const m: Measurement = {
    fixedMs: 1_000,
    restoreMs: 10_000,
    wallMs: 11_000,
    filesRestored: 10,
    bytesRestored: 100_000_000,
    sampled: true,
  };
  const target = { name: 'all', target: '1min', targetMs: 60_000 };

  it('extrapolates fixed costs plus bytes at the measured throughput, and names the assumption', () => {
    const r = evaluateTarget(m, {
      target,
      coverage: 'outside',
      files: 100,
      bytes: 1_000_000_000,
      missing: [],
    });
    expect(r.achievedMs).toBe(1_000 + 100_000);
    expect(r).toMatchObject({ basis: 'estimate', met: false });
    expect(r.note).toContain(
      'assumes the throughput stays as measured over 95.4 MiB in 10 files (9.54 MiB/s)',
    );
    expect(r.note).toContain('the folder listings were read for the whole snapshot');
  });

  it('measures an exact scope, bounds a covered set that met its target, and cannot estimate without data', () => {
    expect(evaluateTarget(m, { target, coverage: 'exact', files: 10, bytes: 1, missing: [] })).toMatchObject({
      basis: 'measured',
      achievedMs: 11_000,
      met: true,
    });
    expect(evaluateTarget(m, { target, coverage: 'within', files: 1, bytes: 1, missing: [] })).toMatchObject({
      basis: 'upper-bound',
      achievedMs: 11_000,
      met: true,
    });
    const empty = { ...m, bytesRestored: 0 };
    const r = evaluateTarget(empty, { target, coverage: 'outside', files: 3, bytes: 500, missing: [] });
    expect(r).toMatchObject({ met: false, basis: 'estimate' });
    expect(r.achievedMs).toBeUndefined();
  });
});

describe('--rto values', () => {
  it('takes config durations plus seconds and milliseconds, and refuses the ambiguous "m"', () => {
    expect(parseRtoDuration('4h')).toBe(4 * 3_600_000);
    expect(parseRtoDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseRtoDuration('90s')).toBe(90_000);
    expect(parseRtoDuration('1ms')).toBe(1);
    expect(() => parseRtoDuration('30m')).toThrow(/ambiguous/);
    expect(() => parseRtoDuration('0s')).toThrow(UsageError);
  });
});

describe('the scratch folder', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('refuses a target reached through a link into a backed-up folder', async () => {
    const base = await mkdtemp(join(tmpdir(), 'coffer-scratch-'));
    dirs.push(base);
    const source = join(base, 'council');
    await mkdir(join(source, 'Finance'), { recursive: true });
    await symlink(join(source, 'Finance'), join(base, 'innocent'));
    await expect(prepareScratch(join(base, 'innocent', 'drill'), [source])).rejects.toThrow(
      /which the snapshot was taken from/,
    );
    await expect(prepareScratch(join(base, 'council-drill'), [source])).resolves.toMatchObject({
      path: join(base, 'council-drill'),
    });
  });
});
