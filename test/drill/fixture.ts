// A council-like folder backed up into a repository in a local folder, for drill tests.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackup } from '../../src/backup/index.js';
import {
  findNode,
  initRepository,
  loadMasterIndex,
  loadSnapshots,
  objectKey,
  type Repository,
  RepositoryBlobReader,
} from '../../src/repository/index.js';
import { LocalStorage } from '../../src/storage/index.js';
import type { Storage } from '../../src/storage/storage.js';
import { fastKdf, seededBytes, TEST_PASSWORD } from '../helpers/repo.js';

export interface DrillFixture {
  readonly dir: string;
  readonly source: string;
  readonly repo: Repository;
  readonly snapshotId: string;
  cleanup(): Promise<void>;
}

/** Finance/ (two files, one of 600 kB in several chunks), Minutes/ (three small files), a top-level file. */
export const COUNCIL_FILES: Readonly<Record<string, number>> = {
  'Finance/budget-2026.xlsx': 600_000,
  'Finance/precept.pdf': 90_000,
  'Minutes/2026-01.txt': 3_000,
  'Minutes/2026-02.txt': 4_000,
  'Minutes/2026-03.txt': 5_000,
  'asset-register.csv': 20_000,
};

export async function writeCouncilFolder(root: string): Promise<void> {
  let seed = 1;
  for (const [rel, size] of Object.entries(COUNCIL_FILES)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), seededBytes(seed++, size));
  }
}

export async function drillFixture(storageFor?: (dir: string) => Storage): Promise<DrillFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-drill-test-'));
  const source = join(dir, 'council');
  await writeCouncilFolder(source);
  const storage = storageFor ? storageFor(dir) : new LocalStorage(join(dir, 'repo'));
  const repo = await initRepository(storage, {
    password: TEST_PASSWORD,
    holder: { name: 'clerk', role: 'owner' },
    kdf: fastKdf,
  });
  const backup = await runBackup(repo, { paths: [source] });
  return {
    dir,
    source,
    repo,
    snapshotId: backup.snapshotId!,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function flipByte(file: string, offset: number): Promise<void> {
  const bytes = await readFile(file);
  bytes[offset]! ^= 0x01;
  await writeFile(file, bytes);
}

/**
 * Flips a byte inside the stored chunk `chunk` of the file at `path` in the latest snapshot of a local
 * repository; returns the storage key of the pack it damaged.
 */
export async function damageStoredFile(
  repo: Repository,
  repoDir: string,
  path: string,
  chunk = 0,
): Promise<string> {
  const ctx = { storage: repo.storage, master: repo.master };
  const index = await loadMasterIndex(ctx);
  const reader = new RepositoryBlobReader(repo.storage, repo.master, index);
  const snapshot = (await loadSnapshots(ctx)).at(-1)!;
  const node = (await findNode(reader, snapshot.snapshot.tree, path))?.node;
  const at = index.lookup(node!.content![chunk]!)!;
  const key = objectKey('pack', at.packId);
  await flipByte(join(repoDir, key), at.offset + Math.floor(at.length / 2));
  return key;
}
