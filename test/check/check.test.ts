// coffer check on an in-memory repository of three snapshots: a clean repository passes, and each kind of
// damage is found, named, and tied to the snapshots and files it affects.

import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/index.js';
import {
  type CheckError,
  type CheckResult,
  parseSubset,
  runCheck,
  selectPacks,
} from '../../src/check/index.js';
import { UsageError } from '../../src/errors.js';
import {
  assemblePack,
  decodeIndex,
  decodeSnapshot,
  findNode,
  loadMasterIndex,
  loadObject,
  type MasterIndex,
  objectKey,
  openRepository,
  type Repository,
  RepositoryBlobReader,
  sealBlob,
} from '../../src/repository/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { GetOptions, Storage } from '../../src/storage/storage.js';
import { memRepo, seededBytes, TEST_PASSWORD } from '../helpers/repo.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tree(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'coffer-check-'));
  dirs.push(root);
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), body);
  }
  return root;
}

/** Records whole-object reads of packs, to see which packs --read-data downloaded. */
class SpyStorage extends MemoryStorage {
  readonly packReads: string[] = [];
  override async get(key: string, opts: GetOptions = {}): Promise<Uint8Array> {
    if (key.startsWith('data/') && !opts.range) this.packReads.push(key);
    return super.get(key, opts);
  }
}

interface Fixture {
  readonly repo: Repository;
  readonly storage: SpyStorage;
  readonly index: MasterIndex;
  /** Snapshot ids, oldest first: a and b back up `docs` (b adds a file), c backs up `other`. */
  readonly a: string;
  readonly b: string;
  readonly c: string;
  readonly docs: string;
  readonly other: string;
}

const SHARED = seededBytes(7, 40_000);

/**
 * Three snapshots: `docs` twice (the second adds feb.txt), then `other`, whose policy-copy.pdf has the same
 * content as docs' data-protection.pdf, so one blob serves all three snapshots.
 */
async function fixture(): Promise<Fixture> {
  const storage = new SpyStorage();
  const repo = await memRepo(TEST_PASSWORD, storage);
  const docs = await tree({
    'Minutes/2024/jan.txt': 'Minutes of January. '.repeat(200),
    'Finance/budget.bin': seededBytes(1, 300_000),
    'Policies/data-protection.pdf': SHARED,
  });
  const at = (iso: string) => () => new Date(iso);
  const a = await runBackup(repo, { paths: [docs], now: at('2026-01-04T02:00:00.000Z') });
  await writeFile(join(docs, 'Minutes/2024/feb.txt'), 'Minutes of February.');
  const b = await runBackup(repo, { paths: [docs], now: at('2026-01-11T02:00:00.000Z') });
  const other = await tree({ 'Archive/policy-copy.pdf': SHARED, 'notes.txt': 'notes' });
  const c = await runBackup(repo, { paths: [other], now: at('2026-01-18T02:00:00.000Z') });
  const index = await loadMasterIndex({ storage, master: repo.master });
  storage.packReads.length = 0;
  return { repo, storage, index, a: a.snapshotId!, b: b.snapshotId!, c: c.snapshotId!, docs, other };
}

/** Where the first blob of a backed-up file is stored. */
async function blobOf(f: Fixture, snapshot: string, path: string) {
  const { tree: root } = await snapshotObject(f, snapshot);
  const reader = new RepositoryBlobReader(f.repo.storage, f.repo.master, f.index);
  const found = await findNode(reader, root, path);
  const id = found!.node!.content![0]!;
  return { id, ...f.index.lookup(id)! };
}

async function snapshotObject(f: Fixture, id: string): Promise<{ tree: string }> {
  return decodeSnapshot(
    await loadObject({ storage: f.repo.storage, master: f.repo.master }, 'snapshot', id),
    id,
  );
}

async function flipByte(storage: Storage, key: string, offset: number): Promise<void> {
  const bytes = await storage.get(key);
  bytes[offset]! ^= 0x40;
  await storage.put(key, bytes);
}

async function listKeys(storage: Storage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of storage.list(prefix)) keys.push(key);
  return keys.sort();
}

function only(result: CheckResult, kind: CheckError['kind']): CheckError {
  const matching = result.errors.filter((e) => e.kind === kind);
  expect(matching, JSON.stringify(result.errors, null, 2)).toHaveLength(1);
  return matching[0]!;
}

function pathsBySnapshot(error: CheckError): Record<string, readonly string[]> {
  return Object.fromEntries(error.affected.map((a) => [a.snapshot, a.paths]));
}

describe('coffer check', () => {
  it('passes a clean repository, with and without --read-data, and counts what it checked', async () => {
    const f = await fixture();
    const structure = await runCheck(f.repo);
    expect(structure).toMatchObject({ ok: true, errors: [], notes: [], readData: 'none' });
    expect(structure.counts).toMatchObject({ keys: 1, snapshots: 3, indexFiles: 3, packs: 6, packsRead: 0 });
    expect(structure.counts.trees).toBeGreaterThanOrEqual(8);
    expect(f.storage.packReads).toEqual([]);
    const full = await runCheck(f.repo, { readData: 'all' });
    expect(full).toMatchObject({ ok: true, errors: [], notes: [] });
    expect(full.counts.packsRead).toBe(6);
    expect(full.counts.bytesRead).toBeGreaterThan(300_000);
  });

  it('finds a flipped byte in a data blob with --read-data only, and names the file in every snapshot that has it', async () => {
    const f = await fixture();
    const budget = await blobOf(f, f.a, `${f.docs}/Finance/budget.bin`);
    await flipByte(f.repo.storage, objectKey('pack', budget.packId), budget.offset + 100);
    // The structure check reads trees but no file data, so it cannot see this.
    expect((await runCheck(f.repo)).ok).toBe(true);
    const result = await runCheck(f.repo, { readData: 'all' });
    expect(result.ok).toBe(false);
    const error = only(result, 'pack-damaged');
    expect(error.object).toBe(objectKey('pack', budget.packId));
    expect(error.message).toMatch(/does not match its name.*1 of its \d+ blobs fail verification/);
    expect(pathsBySnapshot(error)).toEqual({
      [f.a]: [`${f.docs}/Finance/budget.bin`],
      [f.b]: [`${f.docs}/Finance/budget.bin`],
    });
    expect(error.message).toMatch(/affected: 1 file in 2 snapshots/);
    expect(error.advice).toMatch(/Keep the originals/);
    expect(result.errors).toHaveLength(1);
  });

  it('sees a truncated pack from its size alone, and names exactly the files whose blobs were cut off', async () => {
    const f = await fixture();
    const budget = await blobOf(f, f.a, `${f.docs}/Finance/budget.bin`);
    const key = objectKey('pack', budget.packId);
    const bytes = await f.repo.storage.get(key);
    const cut = budget.offset + 10;
    await f.repo.storage.put(key, bytes.subarray(0, cut));
    const result = await runCheck(f.repo);
    const error = only(result, 'pack-size');
    expect(error.message).toMatch(/bytes shorter than its index entries imply \(truncated\?\)/);
    const expected = (
      await Promise.all(
        ['Minutes/2024/jan.txt', 'Finance/budget.bin', 'Policies/data-protection.pdf'].map(async (p) => {
          const at = await blobOf(f, f.a, `${f.docs}/${p}`);
          return at.offset + at.length > cut ? `${f.docs}/${p}` : undefined;
        }),
      )
    ).filter((p): p is string => p !== undefined);
    expect(expected).toContain(`${f.docs}/Finance/budget.bin`);
    expect(pathsBySnapshot(error)[f.a]).toEqual(expected.sort());
  });

  it('a pack cut short only in its header is reported, with no file affected', async () => {
    const f = await fixture();
    const budget = await blobOf(f, f.a, `${f.docs}/Finance/budget.bin`);
    const key = objectKey('pack', budget.packId);
    const bytes = await f.repo.storage.get(key);
    await f.repo.storage.put(key, bytes.subarray(0, bytes.length - 4));
    const error = only(await runCheck(f.repo), 'pack-size');
    expect(error.message).toMatch(/4 bytes shorter.*its header cannot be read/);
    expect(error.affected).toEqual([]);
    expect(error.advice).toMatch(/No backed-up file is affected/);
  });

  it('reports a missing pack with the files it held in all three snapshots', async () => {
    const f = await fixture();
    const shared = await blobOf(f, f.a, `${f.docs}/Policies/data-protection.pdf`);
    await f.repo.storage.delete(objectKey('pack', shared.packId));
    const result = await runCheck(f.repo);
    const error = only(result, 'pack-missing');
    expect(error.message).toMatch(
      /is missing \(the index lists \d+ blobs in it\); affected: 4 files in 3 snapshots/,
    );
    const docsFiles = ['Finance/budget.bin', 'Minutes/2024/jan.txt', 'Policies/data-protection.pdf'].map(
      (p) => `${f.docs}/${p}`,
    );
    expect(pathsBySnapshot(error)).toEqual({
      [f.a]: docsFiles,
      [f.b]: docsFiles,
      [f.c]: [`${f.other}/Archive/policy-copy.pdf`],
    });
    expect(error.affected.map((s) => s.time)).toEqual([
      '2026-01-04T02:00:00.000Z',
      '2026-01-11T02:00:00.000Z',
      '2026-01-18T02:00:00.000Z',
    ]);
    expect(error.advice).toMatch(/put this pack back/);
  });

  it('finds a damaged tree blob without --read-data and names the folder it listed', async () => {
    const f = await fixture();
    const reader = new RepositoryBlobReader(f.repo.storage, f.repo.master, f.index);
    const { tree: rootA } = await snapshotObject(f, f.a);
    const finance = (await findNode(reader, rootA, `${f.docs}/Finance`))!.node!.subtree!;
    const at = f.index.lookup(finance)!;
    await flipByte(f.repo.storage, objectKey('pack', at.packId), at.offset + at.length - 20);
    const result = await runCheck(f.repo);
    const error = only(result, 'tree-damaged');
    expect(error.object).toBe(`tree blob ${finance}`);
    expect(error.message).toMatch(/failed authentication/);
    // b reuses the unchanged Finance folder's tree, so both snapshots lose it
    expect(pathsBySnapshot(error)).toEqual({ [f.a]: [`${f.docs}/Finance/`], [f.b]: [`${f.docs}/Finance/`] });
    expect(error.message).toMatch(/affected: 1 folder \(with everything in it\) in 2 snapshots/);
  });

  it('reports a damaged index file, the blobs it no longer provides, and warns against pruning its packs', async () => {
    const f = await fixture();
    const budget = await blobOf(f, f.a, `${f.docs}/Finance/budget.bin`);
    const indexIds = [...f.index.files];
    let target = '';
    for (const id of indexIds) {
      const file = decodeIndex(await loadObject(f.repo, 'index', id), id);
      if (file.packs.some((p) => p.id === budget.packId)) target = id;
    }
    await flipByte(f.repo.storage, objectKey('index', target), 30);
    const result = await runCheck(f.repo);
    const damaged = only(result, 'index-damaged');
    expect(damaged.object).toBe(`index/${target}`);
    expect(damaged.message).toMatch(/does not match its name/);
    expect(damaged.advice).toMatch(/Do not run "coffer prune"/);
    const missing = only(result, 'blobs-missing');
    expect(missing.message).toMatch(
      /blobs that snapshots use are not in any index \(probably listed by the damaged index file above\)/,
    );
    expect(missing.affected.map((s) => s.snapshot).sort()).toEqual([f.a, f.b, f.c].sort());
    expect(pathsBySnapshot(missing)[f.c]).toContain(`${f.other}/Archive/policy-copy.pdf`);
    const note = result.notes.find((n) => n.kind === 'unindexed-packs')!;
    expect(note.objects).toContain(objectKey('pack', budget.packId));
    expect(note.message).toMatch(/Fix the errors above before running "coffer prune"/);
  });

  it('reports a damaged snapshot object as losing the whole snapshot, and no other', async () => {
    const f = await fixture();
    await flipByte(f.repo.storage, objectKey('snapshot', f.b), 50);
    const result = await runCheck(f.repo);
    const error = only(result, 'snapshot-damaged');
    expect(error.object).toBe(`snapshots/${f.b}`);
    expect(error.message).toMatch(/does not match its name.*affected: the whole of 1 snapshot/);
    expect(error.affected).toEqual([{ snapshot: f.b, paths: ['/'], files: 0, folders: 1 }]);
    expect(result.errors).toHaveLength(1);
  });

  it('names the snapshot whose bytes were swapped in for another', async () => {
    const f = await fixture();
    const bytesOfC = await f.repo.storage.get(objectKey('snapshot', f.c));
    await f.repo.storage.put(objectKey('snapshot', f.a), bytesOfC);
    const error = only(await runCheck(f.repo), 'snapshot-damaged');
    expect(error.object).toBe(`snapshots/${f.a}`);
    expect(error.message).toContain(`holds a copy of snapshots/${f.c}, so it was swapped for another object`);
  });

  it('notes an orphan pack and unused blobs without calling them errors', async () => {
    const f = await fixture();
    const orphan = assemblePack(f.repo.master, [sealBlob(f.repo.master, 'data', seededBytes(9, 1000))]);
    await f.repo.storage.put(objectKey('pack', orphan.id), orphan.bytes);
    // forgetting c (by deleting its snapshot object) leaves notes.txt and c's trees unused
    await f.repo.storage.delete(objectKey('snapshot', f.c));
    const result = await runCheck(f.repo);
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    const kinds = result.notes.map((n) => n.kind).sort();
    expect(kinds).toEqual(['unindexed-packs', 'unused-data']);
    const unindexed = result.notes.find((n) => n.kind === 'unindexed-packs')!;
    expect(unindexed.objects).toEqual([objectKey('pack', orphan.id)]);
    expect(unindexed.message).toMatch(/1 pack .* not listed in any index.*"coffer prune" can remove it\.$/);
    const unused = result.notes.find((n) => n.kind === 'unused-data')!;
    expect(unused.message).toMatch(/^\d+ blobs .* not used by any snapshot: unused data/);
  });

  it('reports a key file copied from another repository, and a damaged key file, as errors', async () => {
    // An error, not a warning: the holder of that password believes they can open this repository and
    // cannot (for the recovery key, the disaster-recovery plan silently fails), and it may be planted.
    const f = await fixture();
    const elsewhere = await memRepo('another password');
    const [foreignKey] = await listKeys(elsewhere.storage, 'keys/');
    await f.repo.storage.put(foreignKey!, await elsewhere.storage.get(foreignKey!));
    // the repository still opens with its own key
    await openRepository(f.repo.storage, TEST_PASSWORD);
    const result = await runCheck(f.repo);
    const error = only(result, 'key-foreign');
    expect(error.object).toBe(foreignKey);
    expect(error.message).toMatch(/belongs to another repository/);
    expect(error.advice).toMatch(/coffer key remove [0-9a-f]{8}/);
    expect(result.errors).toHaveLength(1);

    await flipByte(f.repo.storage, foreignKey!, 5);
    expect(only(await runCheck(f.repo), 'key-damaged').message).toMatch(/does not match its name/);
  });

  it('--read-data-subset 1/2 and 2/2 read every pack exactly once; 10% reads at least one', async () => {
    const f = await fixture();
    const packs = await listKeys(f.repo.storage, 'data/');
    const first = await runCheck(f.repo, { readData: { subset: '1/2' } });
    const firstReads = [...f.storage.packReads];
    f.storage.packReads.length = 0;
    const second = await runCheck(f.repo, { readData: { subset: '2/2' } });
    expect(first.ok && second.ok).toBe(true);
    expect([...firstReads, ...f.storage.packReads].sort()).toEqual(packs);
    expect(first.counts.packsRead + second.counts.packsRead).toBe(packs.length);
    expect(first.readData).toEqual({ subset: '1/2' });
    f.storage.packReads.length = 0;
    const tenth = await runCheck(f.repo, { readData: { subset: '10%' } });
    expect(tenth.counts.packsRead).toBe(1);
    expect(f.storage.packReads).toHaveLength(1);
  });

  it('a subset finds damage only in the packs it covers', async () => {
    const f = await fixture();
    const budget = await blobOf(f, f.a, `${f.docs}/Finance/budget.bin`);
    await flipByte(f.repo.storage, objectKey('pack', budget.packId), budget.offset + 5);
    const group = (Number.parseInt(budget.packId.slice(0, 2), 16) % 2) + 1;
    const covering = await runCheck(f.repo, { readData: { subset: `${group}/2` } });
    expect(only(covering, 'pack-damaged').object).toBe(objectKey('pack', budget.packId));
    const other = await runCheck(f.repo, { readData: { subset: `${3 - group}/2` } });
    expect(other.ok).toBe(true);
  });
});

describe('read-data subsets', () => {
  it('parses N/M and P%, and refuses anything else as a usage error', () => {
    expect(parseSubset('2/4')).toEqual({ kind: 'group', n: 2, m: 4 });
    expect(parseSubset('12.5%')).toEqual({ kind: 'percent', percent: 12.5 });
    for (const bad of ['0/4', '5/4', '1/0', '1/300', '0%', '101%', 'half', '1/2/3', '']) {
      expect(() => parseSubset(bad), bad).toThrow(UsageError);
    }
  });

  it('splits packs into M disjoint groups covering all, and draws a percentage of at least one', () => {
    const ids = Array.from({ length: 300 }, (_, i) => createHash('sha256').update(String(i)).digest('hex'));
    const groups = [1, 2, 3, 4, 5].map((n) => selectPacks(ids, { kind: 'group', n, m: 5 }));
    expect(groups.flat().sort()).toEqual([...ids].sort());
    expect(new Set(groups.flat()).size).toBe(ids.length);
    expect(selectPacks(ids, { kind: 'percent', percent: 10 })).toHaveLength(30);
    expect(selectPacks(ids.slice(0, 3), { kind: 'percent', percent: 1 })).toHaveLength(1);
    expect(selectPacks([], { kind: 'percent', percent: 50 })).toEqual([]);
    const drawn = new Set(selectPacks(ids, { kind: 'percent', percent: 50 }));
    expect(drawn.size).toBe(150);
  });
});
