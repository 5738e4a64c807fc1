// Prune of a repository with more blobs than one new index file lists (50 000): the new index is
// written in parts, and stopping between them loses nothing, because readers use the union of all
// index files and the old ones are deleted only after the last part is stored.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/index.js';
import {
  BlobWriter,
  decodeIndex,
  encodeSnapshot,
  encodeTree,
  listObjectIds,
  loadMasterIndex,
  loadObject,
  MasterIndex,
  removeLocks,
  type Repository,
  saveObject,
  sealBlob,
  type TreeNode,
} from '../../src/repository/index.js';
import { runPrune } from '../../src/retention/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { Storage } from '../../src/storage/storage.js';
import { memRepo } from '../helpers/repo.js';

const FOLDERS = 60;
const FILES_PER_FOLDER = 1000;
/** 60 folders of 1000 one-chunk files (60 000 data blobs) over two snapshots, and their trees. */
async function bigRepository(): Promise<{ repo: Repository; storage: MemoryStorage; blobs: number }> {
  const storage = new MemoryStorage();
  const repo = await memRepo(undefined, storage);
  const writer = new BlobWriter(repo, new MasterIndex(), { packSize: 64 * 1024 });
  let counter = 0;
  const encoder = new TextEncoder();
  const folderTrees: string[] = [];
  for (let snapshot = 0; snapshot < 2; snapshot++) {
    for (let f = 0; f < FOLDERS / 2; f++) {
      const nodes: TreeNode[] = [];
      for (let i = 0; i < FILES_PER_FOLDER; i++) {
        const plain = encoder.encode(`file content ${counter++}`);
        const blob = sealBlob(repo.master, 'data', plain, { compression: 'none' });
        await writer.add(blob);
        nodes.push({
          name: encoder.encode(`f${i}`),
          type: 'file',
          mode: 0o644,
          mtime: '2026-01-01T00:00:00.000000000Z',
          size: plain.length,
          sha256: createHash('sha256').update(plain).digest('hex'),
          content: [blob.id],
        });
      }
      const tree = sealBlob(repo.master, 'tree', encodeTree({ nodes }), { compression: 'zstd' });
      await writer.add(tree);
      folderTrees.push(tree.id);
    }
    const root = sealBlob(
      repo.master,
      'tree',
      encodeTree({
        nodes: folderTrees.map((subtree, f) => ({
          name: encoder.encode(`d${f}`),
          type: 'dir' as const,
          mode: 0o755,
          mtime: '2026-01-01T00:00:00.000000000Z',
          subtree,
        })),
      }),
      { compression: 'zstd' },
    );
    await writer.add(root);
    await writer.flush();
    await saveObject(
      repo,
      'snapshot',
      encodeSnapshot({
        version: 1,
        time: new Date(Date.UTC(2026, 0, 1 + snapshot)).toISOString(),
        tree: root.id,
        paths: ['/srv'],
        host: 'pc',
        user: 'clerk',
        tags: [],
        program: 'test',
      }),
    );
  }
  return { repo, storage, blobs: counter };
}

/** Fails every write after the `n`-th put of an index file: the process "died" there. */
function dyingAfterIndexPut(inner: Storage, n: number): Storage {
  let indexPuts = 0;
  let dead = false;
  const write = <T>(fn: () => Promise<T>): Promise<T> => (dead ? Promise.reject(new Error('died')) : fn());
  return {
    location: inner.location,
    get: (k, o) => inner.get(k, o),
    stat: (k, o) => inner.stat(k, o),
    list: (p, o) => inner.list(p, o),
    put: (k, b, o) =>
      write(async () => {
        await inner.put(k, b, o);
        if (k.startsWith('index/') && ++indexPuts === n) dead = true;
      }),
    delete: (k, o) => write(() => inner.delete(k, o)),
  };
}

describe('prune writing its new index in parts', () => {
  it('lists every blob once, at most 50 000 to a file; stopped between parts, nothing is lost', async () => {
    const { repo, storage, blobs } = await bigRepository();
    const oldIndexFiles = await listObjectIds(storage, 'index');
    expect(oldIndexFiles.length).toBeGreaterThan(3);

    // Dies right after storing the first part of the new index: old and new files are all there.
    await expect(
      runPrune({ ...repo, storage: dyingAfterIndexPut(storage, 1) }, { maxUnused: 0 }),
    ).rejects.toThrow(/died/);
    await removeLocks(repo, { all: true });
    expect(await listObjectIds(storage, 'index')).toHaveLength(oldIndexFiles.length + 1);
    expect((await runCheck(repo)).errors).toEqual([]);

    // The next prune finishes: only the new parts are left, each within the limit, every blob once.
    await runPrune(repo, { maxUnused: 0 });
    const files = await listObjectIds(storage, 'index');
    expect(files.length).toBe(Math.ceil((blobs + FOLDERS + 2) / 50_000));
    let listed = 0;
    for (const id of files) {
      const file = decodeIndex(await loadObject(repo, 'index', id), id);
      const count = file.packs.reduce((n, p) => n + p.blobs.length, 0);
      expect(count).toBeLessThanOrEqual(50_000);
      expect(file.supersedes.length).toBeGreaterThanOrEqual(oldIndexFiles.length);
      listed += count;
    }
    const index = await loadMasterIndex(repo);
    expect(listed).toBe(index.blobCount);
    expect(index.blobCount).toBe(blobs + FOLDERS + 2);
    expect((await runCheck(repo)).errors).toEqual([]);
  }, 120_000);
});
