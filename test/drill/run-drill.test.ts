// runDrill on a repository in a local folder: a clean drill passes and measures every phase; damage, a
// missed RTO or a refused target make it fail (or refuse) and say why; the scratch folder goes unless kept.

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InterruptedError, UsageError } from '../../src/errors.js';
import { runDrill, wholeSnapshotTarget } from '../../src/drill/index.js';
import {
  findNode,
  loadMasterIndex,
  loadSnapshots,
  objectKey,
  RepositoryBlobReader,
} from '../../src/repository/index.js';
import { runBackup } from '../../src/backup/index.js';
import { seededBytes } from '../helpers/repo.js';
import { COUNCIL_FILES, damageStoredFile, type DrillFixture, drillFixture, flipByte } from './fixture.js';

const fixtures: DrillFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});
async function fixture(): Promise<DrillFixture> {
  const f = await drillFixture();
  fixtures.push(f);
  return f;
}

const totalBytes = Object.values(COUNCIL_FILES).reduce((a, b) => a + b, 0);
const fileCount = Object.keys(COUNCIL_FILES).length;
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('runDrill: a clean repository', () => {
  it('restores and verifies every file, times each phase, meets a generous RTO, and removes its scratch folder', async () => {
    const f = await fixture();
    const result = await runDrill(f.repo, { rto: [wholeSnapshotTarget('4h', 4 * 3_600_000)] });
    expect(result.reasons).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.snapshot.id).toBe(f.snapshotId);
    expect(result.snapshot.paths).toEqual([f.source]);
    expect(result.restored).toMatchObject({ files: fileCount, bytes: totalBytes });
    expect(result.restored.bytesPerSecond).toBeGreaterThan(0);
    expect(result.snapshotTotals).toEqual({ files: fileCount, bytes: totalBytes });
    const p = result.phases;
    for (const ms of Object.values(p)) expect(ms).toBeGreaterThanOrEqual(0);
    expect(p.openMs + p.treesMs + p.downloadMs + p.writeMs + p.verifyMs).toBeCloseTo(result.wallMs, 6);
    expect(result.busyMs.verifyMs).toBeGreaterThan(0);
    expect(result.targets).toHaveLength(1);
    expect(result.targets[0]).toMatchObject({
      name: 'whole snapshot',
      basis: 'measured',
      met: true,
      achievedMs: result.wallMs,
      files: fileCount,
      bytes: totalBytes,
    });
    expect(result.ranBy).toMatchObject({ keyId: f.repo.keyId, keyName: 'clerk' });
    expect(result.failedFiles).toEqual([]);
    await expect(stat(result.scratch.path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('with keep, leaves the restored files in the scratch folder, identical to the originals', async () => {
    const f = await fixture();
    const target = join(f.dir, 'drill-here');
    const result = await runDrill(f.repo, { target, keep: true });
    expect(result.passed).toBe(true);
    expect(result.scratch).toEqual({ path: target, kept: true });
    for (const rel of Object.keys(COUNCIL_FILES)) {
      const restored = await readFile(join(target, f.source, rel));
      expect(sha256(restored)).toBe(sha256(await readFile(join(f.source, rel))));
    }
  });

  it('uses an empty target it is given and empties it afterwards, leaving the folder itself', async () => {
    const f = await fixture();
    const target = join(f.dir, 'empty');
    await mkdir(target);
    const result = await runDrill(f.repo, { target });
    expect(result.passed).toBe(true);
    expect(await readdir(target)).toEqual([]);
  });
});

describe('runDrill: interrupted', () => {
  it('stops when its signal fires, removes the scratch folder, and says nothing was recorded', async () => {
    const f = await fixture();
    const stop = new AbortController();
    const target = join(f.dir, 'interrupted');
    const run = runDrill(f.repo, { target, signal: stop.signal, onFileDone: () => stop.abort() });
    await expect(run).rejects.toThrow(InterruptedError);
    await expect(run).rejects.toThrow(/interrupted; nothing was recorded/);
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('runDrill: refused targets', () => {
  it('refuses a target inside a folder the snapshot was taken from, before restoring anything', async () => {
    const f = await fixture();
    const inside = join(f.source, 'Finance', 'drill');
    await expect(runDrill(f.repo, { target: inside })).rejects.toThrow(UsageError);
    await expect(runDrill(f.repo, { target: inside })).rejects.toThrow(
      /inside .*council, which the snapshot was taken from/,
    );
    await expect(runDrill(f.repo, { target: f.source })).rejects.toThrow(UsageError);
    await expect(stat(inside)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a target that is not empty', async () => {
    const f = await fixture();
    const target = join(f.dir, 'busy');
    await mkdir(target);
    await writeFile(join(target, 'keep-me.txt'), 'mine');
    await expect(runDrill(f.repo, { target })).rejects.toThrow(/is not empty/);
    expect(await readFile(join(target, 'keep-me.txt'), 'utf8')).toBe('mine');
  });
});

describe('runDrill: failures', () => {
  it('fails on a tampered pack, naming the damaged file and pack, and still restores the rest', async () => {
    const f = await fixture();
    const packKey = await damageStoredFile(
      f.repo,
      join(f.dir, 'repo'),
      `${f.source}/Finance/budget-2026.xlsx`,
    );
    const result = await runDrill(f.repo);
    expect(result.passed).toBe(false);
    const budget = `${f.source}/Finance/budget-2026.xlsx`;
    expect(result.failedFiles.map((x) => x.path)).toEqual([budget]);
    expect(result.failedFiles[0]!.expectedSha256).toBe(
      sha256(await readFile(join(f.source, 'Finance/budget-2026.xlsx'))),
    );
    expect(result.failedFiles[0]!.error).toMatch(/damaged/);
    expect(result.failedFileCount).toBe(1);
    expect(result.damagedObjects.map((d) => d.key)).toEqual([packKey]);
    expect(result.restored.files).toBe(fileCount - 1);
    expect(result.reasons.join('\n')).toContain(budget);
    expect(result.reasons.join('\n')).toContain(packKey);
  });

  it('fails when a folder listing is damaged, naming the folder, and restores everything else', async () => {
    const f = await fixture();
    const ctx = { storage: f.repo.storage, master: f.repo.master };
    const index = await loadMasterIndex(ctx);
    const reader = new RepositoryBlobReader(f.repo.storage, f.repo.master, index);
    const [snap] = await loadSnapshots(ctx);
    const minutes = await findNode(reader, snap!.snapshot.tree, `${f.source}/Minutes`);
    const at = index.lookup(minutes!.node!.subtree!)!;
    const packFile = join(f.dir, 'repo', objectKey('pack', at.packId));
    await flipByte(packFile, at.offset + 30);
    const result = await runDrill(f.repo);
    expect(result.passed).toBe(false);
    expect(result.damagedFolders).toEqual([`${f.source}/Minutes`]);
    expect(result.reasons.join('\n')).toMatch(
      /folder listing could not be read, so nothing under it was restored/,
    );
    expect(result.restored.files).toBe(fileCount - 3);
  });

  it('fails on a damaged chunk in the middle of a big file, without losing the chunks read ahead', async () => {
    const f = await fixture();
    await writeFile(join(f.source, 'Finance', 'ledger.bin'), seededBytes(99, 6_000_000));
    await runBackup(f.repo, { paths: [f.source] });
    await damageStoredFile(f.repo, join(f.dir, 'repo'), `${f.source}/Finance/ledger.bin`, 1);
    const result = await runDrill(f.repo);
    expect(result.passed).toBe(false);
    expect(result.failedFiles.map((x) => x.path)).toEqual([`${f.source}/Finance/ledger.bin`]);
    expect(result.restored.files).toBe(fileCount);
  });

  it('fails when the RTO is missed, saying by how much', async () => {
    const f = await fixture();
    const result = await runDrill(f.repo, { rto: [wholeSnapshotTarget('1ms', 1)] });
    expect(result.passed).toBe(false);
    expect(result.failedFiles).toEqual([]);
    expect(result.targets[0]).toMatchObject({ basis: 'measured', met: false, targetMs: 1 });
    expect(result.reasons).toEqual([
      expect.stringMatching(/^the RTO "whole snapshot" \(1ms\) was not met: a measured \d/),
    ]);
  });
});
