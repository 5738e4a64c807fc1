import { mkdir, mkdtemp, rm, symlink, utimes, writeFile, chmod, appendFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/index.js';
import { InterruptedError } from '../../src/errors.js';
import { listObjectIds, loadSnapshots } from '../../src/repository/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { Storage } from '../../src/storage/storage.js';
import { memRepo, seededBytes } from '../helpers/repo.js';
import { diskContents, snapshotContents, withoutTimes } from '../helpers/snapshot-contents.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tree(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'coffer-src-'));
  dirs.push(root);
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), body);
  }
  return root;
}

describe('backup', () => {
  it('stores files, folders, symlinks, empty files and empty folders with modes, and reads them back identically', async () => {
    const root = await tree({
      'Minutes/2024/jan.txt': 'Minutes of January. '.repeat(500),
      'Finance/budget.xlsx': seededBytes(1, 3_000_000),
      'empty.txt': '',
      'name with spaces & ünïcödé.txt': 'x',
      [`${'long'.repeat(60)}.txt`]: 'long name',
      'line\nbreak.txt': 'newline in name',
    });
    await mkdir(join(root, 'Empty folder'));
    await symlink('Minutes/2024/jan.txt', join(root, 'latest-minutes'));
    await chmod(join(root, 'Finance/budget.xlsx'), 0o640);
    // A name that is not valid UTF-8 must round-trip byte for byte.
    await writeFile(
      Buffer.concat([Buffer.from(`${root}/latin1-`), Buffer.from([0xe9, 0xff]), Buffer.from('.txt')]),
      'bytes',
    );

    const repo = await memRepo();
    const result = await runBackup(repo, { paths: [root] });
    expect(result.snapshotId).toMatch(/^[0-9a-f]{64}$/);
    expect(result.incomplete).toBe(false);
    expect(result.summary.filesNew).toBe(7);
    const stored = await snapshotContents(repo, root);
    expect(withoutTimes(stored)).toEqual(withoutTimes(await diskContents(root)));
    expect(stored.get('latin1-\u00e9\u00ff.txt')?.content?.toString()).toBe('bytes');
  });

  it("records every file's SHA-256 and the snapshot metadata", async () => {
    const root = await tree({ 'a.txt': 'hello\n' });
    const repo = await memRepo();
    await runBackup(repo, { paths: [root], tags: ['weekly', 'docs'], host: 'parish-pc' });
    const stored = await snapshotContents(repo, root);
    expect(stored.get('a.txt')?.sha256).toBe(
      '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
    );
    const [snap] = await loadSnapshots({ storage: repo.storage, master: repo.master });
    expect(snap!.snapshot).toMatchObject({ host: 'parish-pc', tags: ['weekly', 'docs'], paths: [root] });
    expect(snap!.snapshot.program).toMatch(/^coffer /);
    expect(snap!.snapshot.summary).toMatchObject({ filesNew: 1, totalFiles: 1, totalBytes: 6 });
  });

  it('deduplicates: identical files are stored once and an unchanged second backup adds nothing', async () => {
    const data = seededBytes(2, 2_000_000);
    const root = await tree({ 'one.bin': data, 'copy/two.bin': data });
    const repo = await memRepo();
    const first = await runBackup(repo, { paths: [root] });
    expect(first.summary.bytesAdded).toBe(data.length);
    const second = await runBackup(repo, { paths: [root] });
    expect(second.parentId).toBe(first.snapshotId);
    expect(second.summary).toMatchObject({
      filesUnmodified: 2,
      filesNew: 0,
      bytesRead: 0,
      bytesAdded: 0,
    });
    // Only folder listings can be new: /tmp, on the way to the source, changes while other tests run.
    expect(second.summary.bytesStored).toBeLessThan(10_000);
    const forced = await runBackup(repo, { paths: [root], force: true });
    expect(forced.summary.bytesRead).toBe(2 * data.length);
    expect(forced.summary.bytesAdded).toBe(0);
  });

  it('reads only changed files against the parent, and stores only the changed chunks', async () => {
    const big = seededBytes(3, 6_000_000);
    const root = await tree({ 'big.bin': big, 'small.txt': 'v1' });
    const repo = await memRepo();
    await runBackup(repo, { paths: [root] });
    await appendFile(join(root, 'big.bin'), 'appended');
    const future = new Date(Date.now() + 5000);
    await utimes(join(root, 'big.bin'), future, future);
    const second = await runBackup(repo, { paths: [root] });
    expect(second.summary).toMatchObject({ filesChanged: 1, filesUnmodified: 1 });
    expect(second.summary.bytesRead).toBe(big.length + 8);
    // Content-defined chunking: only the last chunk changes.
    expect(second.summary.bytesAdded).toBeLessThan(big.length / 2);
    expect((await snapshotContents(repo, root)).get('big.bin')?.content?.length).toBe(big.length + 8);
  });

  it('leaves out excluded paths (gitignore patterns) and folders marked with --exclude-if-present', async () => {
    const root = await tree({
      'keep.txt': 'k',
      'tmp/scratch.txt': 's',
      'notes.tmp': 't',
      'Private/.nobackup': '',
      'Private/secret.txt': 'p',
      'sub/keep.tmp.txt': 'k2',
    });
    const repo = await memRepo();
    await runBackup(repo, {
      paths: [root],
      excludes: { patterns: ['*.tmp', 'tmp/'], ifPresent: ['.nobackup'] },
    });
    const stored = [...(await snapshotContents(repo, root)).keys()].sort();
    expect(stored).toEqual(['keep.txt', 'sub', 'sub/keep.tmp.txt']);
  });

  it('a dry run reads and counts but stores nothing', async () => {
    const root = await tree({ 'a.bin': seededBytes(4, 500_000) });
    const repo = await memRepo();
    const before = await countObjects(repo.storage);
    const result = await runBackup(repo, { paths: [root], dryRun: true });
    expect(result.snapshotId).toBeUndefined();
    expect(result.summary.bytesAdded).toBe(500_000);
    expect(await countObjects(repo.storage)).toBe(before);
  });

  it('skips a FIFO with a note, without failing the backup', async () => {
    const root = await tree({ 'a.txt': 'a' });
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const repo = await memRepo();
    const result = await runBackup(repo, { paths: [root] });
    expect(result.incomplete).toBe(false);
    expect(result.warnings).toEqual([expect.objectContaining({ kind: 'skipped-special' })]);
    expect([...(await snapshotContents(repo, root)).keys()]).toEqual(['a.txt']);
  });

  it('stores nothing readable: file names and contents never appear in any object', async () => {
    const root = await tree({
      'Confidential-Grievance-Smith.txt': 'The clerk complained about Councillor Smith. '.repeat(20),
    });
    const repo = await memRepo();
    await runBackup(repo, { paths: [root], tags: ['TagVisible'], host: 'HostVisible' });
    for await (const { key } of repo.storage.list('')) {
      const body = Buffer.from(await repo.storage.get(key)).toString('latin1');
      for (const s of ['Confidential', 'Grievance', 'Councillor Smith', 'TagVisible', 'HostVisible', root])
        expect(body).not.toContain(s);
    }
  });

  it('an interrupted backup writes no snapshot, and the next one reuses the packs already uploaded', async () => {
    const root = await tree({
      'a.bin': seededBytes(5, 20_000_000),
      'b.bin': seededBytes(6, 20_000_000),
      'c.bin': seededBytes(7, 20_000_000),
    });
    const storage = new MemoryStorage();
    const repo = await memRepo(undefined, storage);
    const controller = new AbortController();
    let packs = 0;
    const watched: Storage = {
      location: storage.location,
      get: (key, opts) => storage.get(key, opts),
      list: (prefix, opts) => storage.list(prefix, opts),
      stat: (key, opts) => storage.stat(key, opts),
      delete: (key, opts) => storage.delete(key, opts),
      put: async (key, body, opts) => {
        await storage.put(key, body, opts);
        if (key.startsWith('data/') && ++packs === 2) controller.abort(new Error('test interrupt'));
      },
    };
    const err = await runBackup(
      { ...repo, storage: watched },
      { paths: [root], signal: controller.signal },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(await listObjectIds(storage, 'snapshot')).toEqual([]);
    expect((await listObjectIds(storage, 'index')).length).toBeGreaterThan(0);
    const again = await runBackup(repo, { paths: [root] });
    expect(again.snapshotId).toBeDefined();
    expect(again.summary.bytesAdded).toBeLessThan(60_000_000 - 16_000_000);
    expect(withoutTimes(await snapshotContents(repo, root))).toEqual(withoutTimes(await diskContents(root)));
  });
});

async function countObjects(storage: Storage): Promise<number> {
  let n = 0;
  for await (const _ of storage.list('')) n++;
  return n;
}
