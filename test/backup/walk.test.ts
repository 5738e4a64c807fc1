import type { BigIntStats } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirPrefetcher, listDir } from '../../src/backup/dir-listing.js';
import { runBackup } from '../../src/backup/index.js';
import type { BackupCounters } from '../../src/backup/progress.js';
import { compareNames } from '../../src/repository/index.js';
import { memRepo, seededBytes } from '../helpers/repo.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempTree(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'coffer-walk-'));
  dirs.push(root);
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), body);
  }
  return root;
}

describe('folder listings', () => {
  it('list names in tree order with the lstat of each, links not followed', async () => {
    const root = await tempTree({ 'b.txt': 'bb', 'A.txt': 'a', 'c/d.txt': 'ddd', 'ä.txt': 'x' });
    await symlink('b.txt', join(root, 'link'));
    const listing = await listDir(Buffer.from(root));
    const names = listing.names.map((n) => n.toString());
    expect(names).toEqual(['A.txt', 'b.txt', 'c', 'link', 'ä.txt']);
    expect([...listing.names].sort(compareNames)).toEqual(listing.names);
    const stat = (name: string): BigIntStats => listing.stats[names.indexOf(name)] as BigIntStats;
    expect(stat('b.txt').size).toBe(2n);
    expect(stat('c').isDirectory()).toBe(true);
    expect(stat('link').isSymbolicLink()).toBe(true);
    await expect(listDir(Buffer.from(join(root, 'missing')))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('hand out a listing made ahead once, then list afresh; a failure ahead surfaces when taken', async () => {
    const root = await tempTree({ 'sub/one.txt': '1' });
    const sub = Buffer.from(join(root, 'sub'));
    const lister = new DirPrefetcher(1);
    lister.prefetch(sub);
    lister.prefetch(Buffer.from(join(root, 'missing'))); // over the limit: not started
    await new Promise((r) => setTimeout(r, 50));
    await writeFile(join(root, 'sub/two.txt'), '2');
    expect((await lister.take(sub)).names.map(String)).toEqual(['one.txt']);
    expect((await lister.take(sub)).names.map(String)).toEqual(['one.txt', 'two.txt']);

    const gone = Buffer.from(join(root, 'gone'));
    lister.prefetch(gone);
    await expect(lister.take(gone)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('walking for a backup', () => {
  it('estimates totals by a walk for a first backup, and from the parent after', async () => {
    const root = await tempTree({ 'a.txt': 'aaaa', 'b/c.bin': seededBytes(1, 10_000), 'b/d/e.txt': '' });
    const repo = await memRepo();
    let counters: Readonly<BackupCounters> | undefined;
    const first = await runBackup(repo, {
      paths: [root],
      estimate: true,
      onStart: (c) => (counters = c),
    });
    expect(counters).toMatchObject({ totalFiles: 3, totalBytes: 10_004 });
    await appendFile(join(root, 'a.txt'), 'more');
    await runBackup(repo, { paths: [root], estimate: true, onStart: (c) => (counters = c) });
    // The parent's totals, not a new walk's (which would count 10 008 bytes).
    expect(counters).toMatchObject({ totalFiles: 3, totalBytes: first.summary.totalBytes });
  });

  it('unchanged files are taken from the parent while changed ones are read', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`f${String(i).padStart(2, '0')}.txt`] = `file ${i} `.repeat(100);
    const root = await tempTree(files);
    const repo = await memRepo();
    await runBackup(repo, { paths: [root] });
    await appendFile(join(root, 'f07.txt'), 'changed');
    await appendFile(join(root, 'f31.txt'), 'changed');
    const second = await runBackup(repo, { paths: [root] });
    expect(second.summary).toMatchObject({ filesChanged: 2, filesUnmodified: 38, filesNew: 0 });
    expect(second.summary.bytesRead).toBe(files['f07.txt']!.length + files['f31.txt']!.length + 14);
  });
});
