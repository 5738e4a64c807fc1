import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/index.js';
import { createHash } from 'node:crypto';
import {
  BlobWriter,
  blobIdOf,
  encodeSnapshot,
  loadMasterIndex,
  saveObject,
  sealBlob,
  loadSnapshots,
  objectKey,
  type ParallelBlobReader,
  RepositoryBlobReader,
  findNode,
} from '../../src/repository/index.js';
import { runRestore } from '../../src/restore/index.js';
import { CorruptObjectError } from '../../src/errors.js';
import { LocalStorage, NotFoundError, StorageError } from '../../src/storage/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import { memRepo, seededBytes } from '../helpers/repo.js';
import { diskContents } from '../helpers/snapshot-contents.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'coffer-restore-w-'));
  dirs.push(d);
  return d;
}

async function source(): Promise<string> {
  const root = await tmp();
  await mkdir(join(root, 'Minutes/2024'), { recursive: true });
  await writeFile(join(root, 'Minutes/2024/jan.txt'), 'Minutes of January. '.repeat(40_000));
  // Big enough (with the rest) that a restore opens its blobs on workers.
  await writeFile(join(root, 'scan.pdf'), seededBytes(3, 9_000_000));
  await writeFile(join(root, 'small.txt'), 'small');
  await writeFile(join(root, 'empty.txt'), '');
  return root;
}

/** source() backed up into a repository in a local folder (whose packs the workers read themselves). */
async function backedUpLocally() {
  const root = await source();
  const repoDir = join(await tmp(), 'repo');
  const storage = new LocalStorage(repoDir);
  await storage.create();
  const repo = await memRepo(undefined, storage);
  await runBackup(repo, { paths: [root] });
  return { root, storage, repo, repoDir };
}

/** How writeBlobs fails, and the blobs it named to onBlobError. */
async function failureOf(
  parallel: ParallelBlobReader,
  ids: readonly string[],
  fd: number,
): Promise<{ err: unknown; noted: string[] }> {
  const noted: string[] = [];
  const err = await parallel.writeBlobs!(ids, fd, { onBlobError: (_t, id) => noted.push(id) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { err, noted };
}

/** A file's node in the repository's only snapshot, with a plain reader and the index. */
async function nodeOf(repo: Awaited<ReturnType<typeof memRepo>>, path: string) {
  const ctx = { storage: repo.storage, master: repo.master };
  const [snap] = await loadSnapshots(ctx);
  const index = await loadMasterIndex(ctx);
  const plain = new RepositoryBlobReader(repo.storage, repo.master, index);
  const { node } = (await findNode(plain, snap!.snapshot.tree, path))!;
  return { node: node!, plain, index };
}

describe('restore on blob workers', () => {
  it('the parallel reader gives the bytes the plain reader gives, and takes its buffers back', async () => {
    const root = await source();
    const repo = await memRepo();
    await runBackup(repo, { paths: [root] });
    const ctx = { storage: repo.storage, master: repo.master };
    const [snap] = await loadSnapshots(ctx);
    const plain = new RepositoryBlobReader(repo.storage, repo.master, await loadMasterIndex(ctx));
    const { node } = (await findNode(plain, snap!.snapshot.tree, `${root}/scan.pdf`))!;
    const parallel = plain.parallel();
    try {
      for (const id of node!.content!) {
        const fast = await parallel.reader.readBlob('data', id);
        expect(Buffer.from(fast).equals(await plain.readBlob('data', id))).toBe(true);
        parallel.reader.release!(fast);
      }
    } finally {
      await parallel.close();
    }
  });

  it('writes a file from a local repository on the workers: its bytes, SHA-256 and length', async () => {
    const { root, repo } = await backedUpLocally();
    const { node, plain } = await nodeOf(repo, `${root}/scan.pdf`);
    expect(node.content!.length).toBeGreaterThan(2);
    const parallel = plain.parallel();
    const out = join(await tmp(), 'scan.pdf');
    const fd = openSync(out, 'w');
    const lengths: number[] = [];
    try {
      const written = await parallel.writeBlobs!(node.content!, fd, {
        onBlob: (c) => lengths.push(c.length),
      });
      expect(written).toEqual({ sha256: node.sha256, written: node.size });
    } finally {
      closeSync(fd);
      await parallel.close();
    }
    expect((await readFile(out)).equals(await readFile(join(root, 'scan.pdf')))).toBe(true);
    expect(lengths.length).toBe(node.content!.length);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(node.size);
  });

  it('a damaged blob stops its file: nothing after it is written, and nothing is written once it settles', async () => {
    const { root, storage, repo } = await backedUpLocally();
    const { node, plain, index } = await nodeOf(repo, `${root}/scan.pdf`);
    const [first, second] = node.content!;
    const at = index.lookup(second!)!;
    const key = objectKey('pack', at.packId);
    const damaged = (await storage.get(key)).slice();
    damaged[at.offset + 50]! ^= 1;
    await storage.put(key, damaged);

    const parallel = plain.parallel();
    const dir = await tmp();
    const fd = openSync(join(dir, 'a'), 'w');
    try {
      const { err, noted } = await failureOf(parallel, node.content!, fd);
      expect(err).toBeInstanceOf(CorruptObjectError);
      expect(noted).toEqual([second]);
      // Only the blob before the damaged one reached the file.
      expect(fstatSync(fd).size).toBe((await plain.readBlob('data', first!)).length);
    } finally {
      closeSync(fd);
    }
    // The descriptor number is reused at once; a write still queued for the old file would land here.
    const other = openSync(join(dir, 'b'), 'w');
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(fstatSync(other).size).toBe(0);
    } finally {
      closeSync(other);
      await parallel.close();
    }
  });

  it('a pack missing or cut short fails its file with the error the storage itself gives', async () => {
    const { root, storage, repo } = await backedUpLocally();
    const { node, plain, index } = await nodeOf(repo, `${root}/scan.pdf`);
    const key = objectKey('pack', index.lookup(node.content![0]!)!.packId);
    const pack = (await storage.get(key)).slice();
    const dir = await tmp();
    const attempt = async (): Promise<{ err: unknown; noted: string[] }> => {
      const parallel = plain.parallel();
      const fd = openSync(join(dir, 'out'), 'w');
      try {
        return await failureOf(parallel, node.content!, fd);
      } finally {
        closeSync(fd);
        await parallel.close();
      }
    };

    await storage.delete(key);
    const missing = await attempt();
    expect(missing.err).toBeInstanceOf(NotFoundError);
    expect(missing.noted).toEqual([node.content![0]]);

    await storage.put(key, pack.subarray(0, 100));
    const short = await attempt();
    expect(short.err).toBeInstanceOf(StorageError);
    expect((short.err as Error).message).toMatch(/outside object/);
    expect(short.noted).toEqual([node.content![0]]);
  });

  it('closing the workers closes the pack files they read', async () => {
    const { root, repo, repoDir } = await backedUpLocally();
    const { node, plain } = await nodeOf(repo, `${root}/scan.pdf`);
    const openPacks = async (): Promise<string[]> => {
      const links = await Promise.all(
        (await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
      );
      return links.filter((l) => l.startsWith(join(repoDir, 'data')));
    };
    // The storage keeps its own descriptors (for the folder listings read here): those stay.
    const before = await openPacks();
    const parallel = plain.parallel();
    const fd = openSync(join(await tmp(), 'out'), 'w');
    try {
      await parallel.writeBlobs!(node.content!, fd);
      expect((await openPacks()).length).toBeGreaterThan(before.length); // the workers read packs themselves
    } finally {
      closeSync(fd);
      await parallel.close();
    }
    expect(await openPacks()).toEqual(before);
  });

  it('a write that fails comes back as a file-system error the restore reports by file', async () => {
    const { root, repo } = await backedUpLocally();
    const { node, plain } = await nodeOf(repo, `${root}/scan.pdf`);
    const file = join(await tmp(), 'read-only');
    await writeFile(file, '');
    const parallel = plain.parallel();
    const fd = openSync(file, constants.O_RDONLY);
    try {
      await expect(parallel.writeBlobs!(node.content!, fd)).rejects.toMatchObject({
        syscall: 'write',
        code: 'EBADF',
      });
    } finally {
      closeSync(fd);
      await parallel.close();
    }
    expect((await stat(file)).size).toBe(0);
  });

  it('a damaged data blob fails its file, named, while the other files are restored', async () => {
    const root = await source();
    const storage = new MemoryStorage();
    const repo = await memRepo(undefined, storage);
    await runBackup(repo, { paths: [root] });
    const ctx = { storage: repo.storage, master: repo.master };
    const [snap] = await loadSnapshots(ctx);
    const index = await loadMasterIndex(ctx);
    const reader = new RepositoryBlobReader(repo.storage, repo.master, index);
    const { node } = (await findNode(reader, snap!.snapshot.tree, `${root}/scan.pdf`))!;
    const at = index.lookup(node!.content![0]!)!;
    const key = objectKey('pack', at.packId);
    const pack = (await storage.get(key)).slice();
    pack[at.offset + 100]! ^= 1;
    await storage.put(key, pack);

    const target = await tmp();
    const r = await runRestore(repo, { snapshot: 'latest', path: root, target });
    expect(r.outcome!.errors).toEqual([
      expect.objectContaining({ path: 'scan.pdf', message: expect.stringMatching(/failed authentication/) }),
    ]);
    const restored = await diskContents(target);
    expect([...restored.keys()].sort()).toEqual([
      'Minutes',
      'Minutes/2024',
      'Minutes/2024/jan.txt',
      'empty.txt',
      'small.txt',
    ]);
    expect(await readFile(join(target, 'Minutes/2024/jan.txt'), 'utf8')).toBe(
      'Minutes of January. '.repeat(40_000),
    );
  });

  it('a blob whose content is not what its id says is caught by the file hash, and the file is not put in place', async () => {
    const repo = await memRepo();
    const index = await loadMasterIndex({ storage: repo.storage, master: repo.master });
    const writer = new BlobWriter(repo, index, { packSize: 16 << 20 });
    const good = seededBytes(5, 9_000_000);
    const other = seededBytes(6, 9_000_000);
    // Authentic (sealed with the repository's key) but under the id of the good content.
    const liar = sealBlob(repo.master, 'data', other, { id: blobIdOf(repo.master, good) });
    await writer.add(liar);
    const tree = sealBlob(
      repo.master,
      'tree',
      new TextEncoder().encode(
        JSON.stringify({
          nodes: [
            {
              name: 'scan.pdf',
              type: 'file',
              mode: 0o644,
              mtime: '2026-01-01T00:00:00.000000000Z',
              size: good.length,
              sha256: createHash('sha256').update(good).digest('hex'),
              content: [liar.id],
            },
          ],
        }),
      ),
    );
    await writer.add(tree);
    await writer.flush();
    const snapshot = {
      version: 1 as const,
      time: new Date().toISOString(),
      tree: tree.id,
      paths: ['/x'],
      host: 'h',
      user: 'u',
      tags: [],
      program: 'test',
    };
    await saveObject({ storage: repo.storage, master: repo.master }, 'snapshot', encodeSnapshot(snapshot));

    const target = await tmp();
    const r = await runRestore(repo, { snapshot: 'latest', target });
    expect(r.plan.bytes).toBeGreaterThanOrEqual(8 * 1024 * 1024); // the worker path
    expect(r.outcome!.errors).toEqual([
      expect.objectContaining({ path: 'scan.pdf', message: expect.stringMatching(/did not verify/) }),
    ]);
    expect(await diskContents(target)).toEqual(new Map());
  });
});
