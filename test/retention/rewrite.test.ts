import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/index.js';
import { runCheck } from '../../src/check/index.js';
import {
  loadMasterIndex,
  loadSnapshots,
  readPackHeader,
  RepositoryBlobReader,
} from '../../src/repository/index.js';
import { runPrune, runRewrite } from '../../src/retention/index.js';
import { memRepo } from '../helpers/repo.js';
import { snapshotContents } from '../helpers/snapshot-contents.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('rewrite (erasure)', () => {
  it("removes a person's files from every snapshot; after prune no object holds their data", async () => {
    const src = await mkdtemp(join(tmpdir(), 'coffer-erase-'));
    dirs.push(src);
    await mkdir(join(src, 'HR'));
    const secret = 'SMITH GRIEVANCE RECORD '.repeat(300);
    await writeFile(join(src, 'HR/Smith grievance.txt'), secret);
    await writeFile(join(src, 'HR/Jones contract.txt'), 'JONES CONTRACT '.repeat(300));
    await writeFile(join(src, 'minutes.txt'), 'minutes '.repeat(300));
    const repo = await memRepo();
    await runBackup(repo, { paths: [src], tags: ['weekly'] });
    await writeFile(join(src, 'minutes.txt'), 'minutes v2 '.repeat(300));
    await runBackup(repo, { paths: [src], tags: ['weekly'] });

    const dry = await runRewrite(repo, { exclude: ['HR/Smith*'], dryRun: true });
    expect(dry.snapshots.map((s) => s.removedPaths)).toEqual([
      [`${src}/HR/Smith grievance.txt`],
      [`${src}/HR/Smith grievance.txt`],
    ]);
    expect(await loadSnapshots(repo)).toHaveLength(2);

    const result = await runRewrite(repo, { exclude: ['HR/Smith*'], forget: true });
    expect(result.forgotten).toBe(2);
    const snaps = await loadSnapshots(repo);
    expect(snaps).toHaveLength(2);
    for (const s of snaps)
      expect(s.snapshot).toMatchObject({
        tags: ['weekly'],
        paths: [src],
        rewrittenFrom: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    const latest = await snapshotContents(repo, src);
    expect([...latest.keys()].sort()).toEqual(['HR', 'HR/Jones contract.txt', 'minutes.txt']);

    await runPrune(repo, { maxUnused: 0 });
    expect((await runCheck(repo, { readData: 'all' })).errors).toEqual([]);
    const reader = new RepositoryBlobReader(repo.storage, repo.master, await loadMasterIndex(repo));
    let blobs = 0;
    for await (const { key } of repo.storage.list('data/')) {
      for (const e of readPackHeader(repo.master, await repo.storage.get(key), key)) {
        const text = Buffer.from(await reader.readBlob(e.type, e.id)).toString('latin1');
        expect(text).not.toContain('SMITH GRIEVANCE');
        expect(text).not.toContain('Smith grievance');
        blobs++;
      }
    }
    expect(blobs).toBeGreaterThan(2);
  });

  it('leaves snapshots without matches alone, and needs a pattern', async () => {
    const src = await mkdtemp(join(tmpdir(), 'coffer-erase-'));
    dirs.push(src);
    await writeFile(join(src, 'a.txt'), 'a');
    const repo = await memRepo();
    await runBackup(repo, { paths: [src] });
    expect((await runRewrite(repo, { exclude: ['nothing-like-this'] })).snapshots).toEqual([]);
    await expect(runRewrite(repo, { exclude: [] })).rejects.toThrow(/--exclude/);
  });
});
