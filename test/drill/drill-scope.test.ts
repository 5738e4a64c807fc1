// Drill scopes: a sample extrapolates and says so, the same seed picks the same files again; --paths restores
// only those paths and measures a matching critical set; a full drill bounds a set it met, estimates one it missed.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtoTarget } from '../../src/config/index.js';
import { runDrill, wholeSnapshotTarget } from '../../src/drill/index.js';
import { formatBytes } from '../../src/ui/index.js';
import { COUNCIL_FILES, type DrillFixture, drillFixture } from './fixture.js';

let f: DrillFixture;
beforeAll(async () => {
  f = await drillFixture();
});
afterAll(() => f?.cleanup());

const totalBytes = Object.values(COUNCIL_FILES).reduce((a, b) => a + b, 0);
const bytesUnder = (prefix: string): number =>
  Object.entries(COUNCIL_FILES)
    .filter(([rel]) => rel.startsWith(prefix))
    .reduce((sum, [, size]) => sum + size, 0);
const DAY = 86_400_000;
const finance = (targetMs: number, target = '1d'): RtoTarget => ({
  name: 'finance',
  paths: [`${f.source}/Finance`],
  target,
  targetMs,
});

describe('a sampled drill', () => {
  it('restores a sample, extrapolates the whole snapshot from the measured throughput, and names the assumption', async () => {
    const result = await runDrill(f.repo, {
      scope: { kind: 'sample', percent: 50, seed: 'c0ffee' },
      rto: [wholeSnapshotTarget('1d', DAY)],
    });
    expect(result.scope).toEqual({ kind: 'sample', percent: 50, seed: 'c0ffee' });
    expect(result.restored.files).toBeGreaterThan(0);
    expect(result.restored.files).toBeLessThan(Object.keys(COUNCIL_FILES).length);
    const t = result.targets[0]!;
    expect(t.basis).toBe('estimate');
    expect(t.bytes).toBe(totalBytes);
    const p = result.phases;
    const restoreMs = p.downloadMs + p.writeMs + p.verifyMs;
    const expected = p.openMs + p.treesMs + (totalBytes * restoreMs) / result.restored.bytes;
    expect(t.achievedMs).toBeCloseTo(expected, 3);
    expect(t.note).toContain(
      `plus ${formatBytes(totalBytes)} at ${formatBytes(result.restored.bytesPerSecond!)}/s`,
    );
    expect(t.note).toMatch(
      /; assumes the throughput stays as measured over .* in \d+ files? \(.*\/s\) and the folder listings were read for the whole snapshot$/,
    );
    expect(t.met).toBe(true);
    expect(result.passed).toBe(true);
  });

  it('picks the same files for the same seed, and a fresh seed when none is given', async () => {
    const a = await runDrill(f.repo, { scope: { kind: 'sample', percent: 40, seed: 'abc' }, keep: true });
    const b = await runDrill(f.repo, { scope: { kind: 'sample', percent: 40, seed: 'abc' }, keep: true });
    const { readdir } = await import('node:fs/promises');
    const list = async (dir: string): Promise<string[]> =>
      (await readdir(dir, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length))
        .sort();
    expect(await list(a.scratch.path)).toEqual(await list(b.scratch.path));
    expect(a.restored).toEqual({ ...b.restored, bytesPerSecond: a.restored.bytesPerSecond });
    await Promise.all([a, b].map((r) => rm(r.scratch.path, { recursive: true })));
    const fresh = await runDrill(f.repo, { scope: { kind: 'sample', percent: 40 } });
    expect(fresh.scope).toMatchObject({ kind: 'sample', seed: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});

describe('a drill of some paths', () => {
  it('restores only those paths, measures the set that matches them, and estimates the whole snapshot', async () => {
    const result = await runDrill(f.repo, {
      scope: { kind: 'paths', paths: [`${f.source}/Finance/`] },
      rto: [finance(DAY), wholeSnapshotTarget('1d', DAY)],
      keep: true,
    });
    expect(result.passed).toBe(true);
    expect(result.restored).toMatchObject({ files: 2, bytes: bytesUnder('Finance/') });
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(join(result.scratch.path, f.source))).sort()).toEqual(['Finance']);
    await rm(result.scratch.path, { recursive: true });
    const [set, whole] = result.targets;
    expect(set).toMatchObject({
      basis: 'measured',
      achievedMs: result.wallMs,
      met: true,
      bytes: bytesUnder('Finance/'),
    });
    expect(whole).toMatchObject({ basis: 'estimate', met: true, bytes: totalBytes, files: 6 });
    expect(result.snapshotTotals).toEqual({ files: 6, bytes: totalBytes });
  });

  it('fails naming a path that is not in the snapshot', async () => {
    const result = await runDrill(f.repo, { scope: { kind: 'paths', paths: [`${f.source}/Nope`] } });
    expect(result.passed).toBe(false);
    expect(result.reasons).toEqual([`not in snapshot ${f.snapshotId.slice(0, 8)}: ${f.source}/Nope`]);
  });
});

describe('a full drill and a named set', () => {
  it('gives the whole drill as an upper bound when the set met its target', async () => {
    const result = await runDrill(f.repo, { rto: [finance(DAY)] });
    expect(result.targets[0]).toMatchObject({ basis: 'upper-bound', met: true, achievedMs: result.wallMs });
    expect(result.targets[0]!.note).toMatch(/^at most .*: this drill restored more than this set/);
  });

  it('estimates the set alone when the whole drill took longer than its target', async () => {
    const result = await runDrill(f.repo, { rto: [finance(1, '1ms')] });
    const t = result.targets[0]!;
    expect(t.basis).toBe('estimate');
    expect(t.note).toMatch(
      /the whole drill took .* longer than the target, so the set's own time is estimated/,
    );
    expect(t.achievedMs).toBeLessThan(result.wallMs);
    expect(t.met).toBe(false);
    expect(result.passed).toBe(false);
  });

  it('fails a set whose paths the snapshot does not have', async () => {
    const result = await runDrill(f.repo, {
      rto: [{ name: 'payroll', paths: ['/srv/payroll'], target: '1d', targetMs: DAY }],
    });
    expect(result.targets[0]).toMatchObject({ met: false });
    expect(result.targets[0]!.note).toMatch(/^not in the snapshot: \/srv\/payroll/);
    expect(result.passed).toBe(false);
  });
});
