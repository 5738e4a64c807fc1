// Prune stopped at every point in turn (as by kill -9 or a lost connection): whatever it had done, every
// remaining snapshot must still check clean and restore.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/index.js';
import { runCheck } from '../../src/check/index.js';
import { removeLocks, type Repository } from '../../src/repository/index.js';
import { runForget, runPrune } from '../../src/retention/index.js';
import { runRestore } from '../../src/restore/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { Storage } from '../../src/storage/storage.js';
import { memRepo, seededBytes } from '../helpers/repo.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Lets `budget` puts and deletes through, then fails every write: the process "died" there. */
function crashingAfter(inner: Storage, budget: number): Storage {
  let writes = 0;
  const write = <T>(fn: () => Promise<T>): Promise<T> =>
    ++writes > budget ? Promise.reject(new Error('crashed')) : fn();
  return {
    location: inner.location,
    get: (k, o) => inner.get(k, o),
    stat: (k, o) => inner.stat(k, o),
    list: (p, o) => inner.list(p, o),
    put: (k, b, o) => write(() => inner.put(k, b, o)),
    delete: (k, o) => write(() => inner.delete(k, o)),
  };
}

async function prepared(): Promise<{ repo: Repository; storage: MemoryStorage; src: string }> {
  const src = await mkdtemp(join(tmpdir(), 'coffer-prune-crash-'));
  dirs.push(src);
  const storage = new MemoryStorage();
  const repo = await memRepo(undefined, storage);
  // Small packs, so prune has several packs to delete and to repack.
  const small: Repository = { ...repo, config: { ...repo.config, packSize: 64 * 1024 } };
  for (let i = 0; i < 6; i++) await writeFile(join(src, `f${i}.bin`), seededBytes(100 + i, 40_000));
  await runBackup(small, { paths: [src] });
  for (let i = 0; i < 3; i++) await writeFile(join(src, `f${i}.bin`), seededBytes(200 + i, 40_000));
  await runBackup(small, { paths: [src] });
  await runForget(small, { policy: { last: 1 } });
  return { repo: small, storage, src };
}

describe('prune interrupted at each step', () => {
  it('leaves a repository that checks clean and restores, whichever write it stopped before', async () => {
    const probe = await prepared();
    let total = 0;
    const counting: Storage = crashingAfter(probe.storage, Number.MAX_SAFE_INTEGER);
    const countingPut = counting.put.bind(counting);
    const countingDelete = counting.delete.bind(counting);
    await runPrune(
      {
        ...probe.repo,
        storage: {
          ...counting,
          put: (k, b, o) => (total++, countingPut(k, b, o)),
          delete: (k, o) => (total++, countingDelete(k, o)),
        },
      },
      { maxUnused: 0 },
    );
    expect(total).toBeGreaterThan(5);

    for (let budget = 0; budget < total; budget++) {
      const { repo, storage, src } = await prepared();
      await runPrune({ ...repo, storage: crashingAfter(storage, budget) }, { maxUnused: 0 }).catch(
        () => undefined,
      );
      const intact = { ...repo, storage };
      // The "dead" prune was this very process, so its lock does not look stale here; a real one would.
      await removeLocks(intact, { all: true });
      const check = await runCheck(intact, { readData: 'all' });
      expect(check.errors, `stopped after ${budget} writes`).toEqual([]);
      const target = await mkdtemp(join(tmpdir(), 'coffer-prune-crash-restore-'));
      dirs.push(target);
      const restored = await runRestore(intact, { snapshot: 'latest', path: src, target });
      expect(restored.outcome!.errors, `stopped after ${budget} writes`).toEqual([]);
      expect(restored.outcome!.filesRestored).toBe(6);
    }
  });
});
