import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/index.js';
import { runCheck } from '../../src/check/index.js';
import {
  listObjectIds,
  loadMasterIndex,
  loadSnapshots,
  type Repository,
} from '../../src/repository/index.js';
import { runForget, runPrune } from '../../src/retention/index.js';
import { runRestore } from '../../src/restore/index.js';
import { memRepo, seededBytes } from '../helpers/repo.js';
import { diskContents } from '../helpers/snapshot-contents.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'coffer-prune-'));
  dirs.push(d);
  return d;
}

async function storedBytes(repo: Repository): Promise<number> {
  let n = 0;
  for await (const { size } of repo.storage.list('data/')) n += size;
  return n;
}

describe('prune', () => {
  it('after forget, frees the data only forgotten snapshots used; the rest still restores and checks clean', async () => {
    const src = await tmp();
    await mkdir(join(src, 'keep'));
    await writeFile(join(src, 'keep/minutes.txt'), 'kept minutes '.repeat(1000));
    await writeFile(join(src, 'grievance.bin'), seededBytes(11, 3_000_000));
    const repo = await memRepo();
    await runBackup(repo, { paths: [src] });
    await rm(join(src, 'grievance.bin'));
    await writeFile(join(src, 'keep/new.bin'), seededBytes(12, 1_000_000));
    await runBackup(repo, { paths: [src] });
    const before = await storedBytes(repo);

    const dry = await runPrune(repo, { dryRun: true });
    expect(dry.plan.bytesFreed).toBe(0); // nothing is unused while both snapshots exist
    await runForget(repo, { policy: { last: 1 } });
    const plan = (await runPrune(repo, { dryRun: true })).plan;
    expect(plan.unusedBytes).toBeGreaterThan(2_900_000);
    expect(await storedBytes(repo)).toBe(before); // a dry run changes nothing

    const result = await runPrune(repo);
    expect(result.plan.bytesFreed).toBeGreaterThan(2_900_000);
    expect(await storedBytes(repo)).toBeLessThan(before - 2_900_000);
    expect(await listObjectIds(repo.storage, 'index')).toHaveLength(1);

    const check = await runCheck(repo, { readData: 'all' });
    expect(check.errors).toEqual([]);
    const target = await tmp();
    const restored = await runRestore(repo, { snapshot: 'latest', path: src, target });
    expect(restored.outcome!.errors).toEqual([]);
    expect([...(await diskContents(target)).keys()].sort()).toEqual([
      'keep',
      'keep/minutes.txt',
      'keep/new.bin',
    ]);
  });

  it('repacks partly used packs so that erased content is gone from every object', async () => {
    const src = await tmp();
    const secret = new TextEncoder().encode('PERSONAL DATA OF MRS SMITH '.repeat(400));
    await writeFile(join(src, 'smith.txt'), secret);
    await writeFile(join(src, 'other.txt'), 'other council business '.repeat(400));
    const repo = await memRepo();
    await runBackup(repo, { paths: [src] });
    await rm(join(src, 'smith.txt'));
    await runBackup(repo, { paths: [src] });
    await runForget(repo, { policy: { last: 1 } });
    const result = await runPrune(repo, { maxUnused: 0 });
    expect(result.plan.repackPacks.length + result.plan.deletePacks.length).toBeGreaterThan(0);
    // Decrypt every blob that is left: none holds the erased text.
    const index = await loadMasterIndex(repo);
    const { RepositoryBlobReader } = await import('../../src/repository/index.js');
    const reader = new RepositoryBlobReader(repo.storage, repo.master, index);
    const needle = 'PERSONAL DATA OF MRS SMITH';
    let blobs = 0;
    for (const packId of index.packIds()) expect(packId).toMatch(/^[0-9a-f]{64}$/);
    for await (const { key } of repo.storage.list('data/')) {
      const { readPackHeader } = await import('../../src/repository/index.js');
      for (const e of readPackHeader(repo.master, await repo.storage.get(key), key)) {
        const plain = Buffer.from(await reader.readBlob(e.type, e.id)).toString('latin1');
        expect(plain.includes(needle)).toBe(false);
        blobs++;
      }
    }
    expect(blobs).toBeGreaterThan(0);
    expect(await loadSnapshots(repo)).toHaveLength(1);
  });

  it('takes an exclusive lock: it does not run while a backup holds a shared one', async () => {
    const repo = await memRepo();
    const { acquireLock } = await import('../../src/repository/index.js');
    const lock = await acquireLock(repo, { exclusive: false, operation: 'backup' });
    await expect(runPrune(repo)).rejects.toThrow(/locked by "backup"/);
    await lock.release();
    await expect(runPrune(repo)).resolves.toBeDefined();
  });
});
