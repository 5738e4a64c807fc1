// A repository under Object Lock on a real server: what init locks and what it refuses, backup extending the
// locks of what it reuses (and the cache that spares requests), forget and prune leaving locked objects in
// place and saying until when, and check reporting snapshots whose data is locked for less than policy.
// Lock periods are seconds (COFFER_TEST_LOCK_SECONDS), so a test can watch a lock end.
// The suite file points COFFER_CACHE_DIR (the lock horizon cache backups use) at a folder of its own.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/index.js';
import { extendRetention } from '../../src/backup/extend-retention.js';
import { runCheck } from '../../src/check/index.js';
import { OperationFailedError, UsageError } from '../../src/errors.js';
import {
  acquireLock,
  initRepository,
  loadMasterIndex,
  loadSnapshots,
  LockHorizons,
  openRepository,
  type Repository,
} from '../../src/repository/index.js';
import { runRestore } from '../../src/restore/index.js';
import { runForget, runPrune } from '../../src/retention/index.js';
import { LocalStorage } from '../../src/storage/index.js';
import type { S3Storage } from '../../src/storage/s3.js';
import { fastKdf, seededBytes, TEST_PASSWORD } from '../helpers/repo.js';
import type { S3TestServer } from '../servers/s3rver.js';
import { bucketName, rejection, s3Storage, waitUntil, withLockSeconds } from './rgw-lock.js';

export function defineRepositoryLockTests(server: () => S3TestServer): void {
  describe('a repository under Object Lock', () => {
    const temps: string[] = [];
    const storages: S3Storage[] = [];
    afterAll(async () => {
      for (const s of storages) s.destroy();
      await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
    });

    async function temp(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'coffer-lock-'));
      temps.push(dir);
      return dir;
    }
    function storage(bucket = bucketName('repo')): S3Storage {
      const s = s3Storage(server(), bucket, 'council');
      storages.push(s);
      return s;
    }
    async function lockedRepo(): Promise<Repository> {
      return initRepository(storage(), {
        password: TEST_PASSWORD,
        kdf: fastKdf,
        objectLock: { mode: 'governance', days: 30 },
      });
    }
    async function dataKeys(repo: Repository): Promise<string[]> {
      const keys: string[] = [];
      for await (const { key } of repo.storage.list('data/')) keys.push(key);
      return keys.sort();
    }
    const until = async (repo: Repository, key: string): Promise<number> =>
      (await repo.storage.objectLock!.retention(key))?.until.getTime() ?? 0;

    it('init creates the bucket with Object Lock and locks the config and key file, but never a lock', async () => {
      await withLockSeconds(300, async () => {
        const before = Date.now();
        const repo = await lockedRepo();
        expect(await repo.storage.objectLock!.enabled()).toBe(true);
        for (const key of ['config', `keys/${repo.keyId}`]) {
          const r = await repo.storage.objectLock!.retention(key);
          expect(r?.mode).toBe('governance');
          expect(r!.until.getTime()).toBeGreaterThanOrEqual(before + 300_000 - 1000);
        }
        const reopened = await openRepository(repo.storage, TEST_PASSWORD);
        expect(reopened.config.objectLock).toEqual({ mode: 'governance', days: 30 });

        const held = await acquireLock(repo, { exclusive: false, operation: 'test' });
        expect(await repo.storage.objectLock!.retention(`locks/${held.id}`)).toBeUndefined();
        await held.release();
        expect(await repo.storage.stat(`locks/${held.id}`)).toBeUndefined();
      });
    });

    it('init refuses an existing bucket without Object Lock, and a local folder, writing nothing', async () => {
      const plain = storage();
      await plain.create();
      const err = await rejection(
        initRepository(plain, {
          password: TEST_PASSWORD,
          kdf: fastKdf,
          objectLock: { mode: 'compliance', days: 7 },
        }),
      );
      expect(err).toBeInstanceOf(OperationFailedError);
      expect(err.message).toMatch(/does not have Object Lock turned on.*no repository was created/);
      const left: string[] = [];
      for await (const { key } of plain.list('')) left.push(key);
      expect(left).toEqual([]);

      const local = new LocalStorage(join(await temp(), 'repo'));
      const localErr = await rejection(
        initRepository(local, {
          password: TEST_PASSWORD,
          kdf: fastKdf,
          objectLock: { mode: 'compliance', days: 7 },
        }),
      );
      expect(localErr).toBeInstanceOf(UsageError);
      expect(localErr.message).toMatch(/cannot lock objects/);
    });

    it('a copy of a locked repository in a local folder opens with a warning and backs up without locks', async () => {
      const repo = await lockedRepo();
      const local = new LocalStorage(join(await temp(), 'copy'));
      await local.create();
      for await (const { key } of repo.storage.list('')) await local.put(key, await repo.storage.get(key));
      const copy = await openRepository(local, TEST_PASSWORD);
      expect(copy.warnings.join('\n')).toMatch(/asks for Object Lock, but .* cannot lock objects/);
      const src = await temp();
      await writeFile(join(src, 'a.txt'), 'a');
      expect((await runBackup(copy, { paths: [src] })).snapshotId).toBeDefined();
    });

    it('backup extends the lock of every object a new snapshot reuses beyond the snapshot’s own lock period', async () => {
      await withLockSeconds(120, async () => {
        const repo = await lockedRepo();
        const src = await temp();
        await writeFile(join(src, 'budget.ods'), seededBytes(7, 300_000));
        await runBackup(repo, { paths: [src] });
        const [pack] = await dataKeys(repo);
        const first = await until(repo, pack!);

        const second = await runBackup(repo, { paths: [src] });
        const snapshot = (await loadSnapshots(repo)).find((s) => s.id === second.snapshotId)!;
        const required = Date.parse(snapshot.snapshot.time) + 120_000;
        expect(await until(repo, pack!)).toBeGreaterThan(first);
        for (const key of [pack!, 'config', `keys/${repo.keyId}`]) {
          expect(await until(repo, key)).toBeGreaterThanOrEqual(required);
        }
        const check = await runCheck(repo);
        expect(check.errors).toEqual([]);
        expect(check.notes.map((n) => n.kind)).not.toContain('lock-short');
      });
    });

    it('the horizon cache spares the requests: a second backup asks the storage about nothing', async () => {
      await withLockSeconds(120, async () => {
        const repo = await lockedRepo();
        const src = await temp();
        await writeFile(join(src, 'minutes.txt'), 'minutes '.repeat(1000));
        await runBackup(repo, { paths: [src] });
        const index = await loadMasterIndex(repo);
        const cacheDir = await temp();
        const at = (ms: number): Date => new Date(Date.now() + ms);

        const fresh = await extendRetention(repo, index, { snapshotTime: at(0), cacheDir });
        expect(fresh!.looked).toBe(fresh!.objects);
        // what the backup wrote is locked until its own time + period, short of this later snapshot's; the
        // config and key file were extended by that backup already, with the margin to spare
        expect(fresh!.extended).toBe(fresh!.objects - 2);
        const cached = await extendRetention(repo, index, { snapshotTime: at(1000), cacheDir });
        expect(cached).toEqual({ objects: fresh!.objects, looked: 0, extended: 0 });
        // without the cache every object is asked about, but the margin spares the extensions
        const uncached = await extendRetention(repo, index, { snapshotTime: at(1000), cacheDir: false });
        expect(uncached).toEqual({ objects: fresh!.objects, looked: fresh!.objects, extended: 0 });
      });
    });

    it('forget keeps snapshots still locked and says until when; prune leaves locked packs out of the index and deletes them once the locks end', async () => {
      await withLockSeconds(4, async () => {
        const repo = await lockedRepo();
        const src = await temp();
        await writeFile(join(src, 'grievance.pdf'), seededBytes(3, 2_000_000));
        const first = (await runBackup(repo, { paths: [src] })).snapshotId!;
        const firstPacks = await dataKeys(repo);
        await rm(join(src, 'grievance.pdf'));
        await writeFile(join(src, 'agenda.txt'), 'agenda for April\n');
        const second = (await runBackup(repo, { paths: [src] })).snapshotId!;

        const early = await runForget(repo, { policy: { last: 1 } });
        expect(early.removed).toBe(0);
        expect(early.retained.map((r) => r.id)).toEqual([first]);
        expect((await loadSnapshots(repo)).map((s) => s.id).sort()).toEqual([first, second].sort());

        await waitUntil(new Date(early.retained[0]!.until));
        const later = await runForget(repo, { policy: { last: 1 } });
        expect(later).toMatchObject({ removed: 1, retained: [] });

        // the first snapshot's packs are unused now, but backup 2 extended their locks
        const dry = await runPrune(repo, { dryRun: true });
        const held = dry.plan.retained.packs.map((p) => `data/${p.id.slice(0, 2)}/${p.id}`);
        expect(held.sort()).toEqual(firstPacks);
        expect(dry.plan.retained.packs.every((p) => p.use === 'unused')).toBe(true);
        expect(dry.plan.deletePacks).toEqual([]);
        const kept = await runPrune(repo);
        expect(kept.plan.retained.packs.length).toBe(firstPacks.length);
        for (const key of firstPacks) expect(await repo.storage.stat(key)).toBeDefined();
        expect((await runCheck(repo)).errors).toEqual([]);

        const lastLock = [...kept.plan.retained.packs, ...kept.plan.retained.indexFiles]
          .map((x) => Date.parse(x.until))
          .reduce((a, b) => Math.max(a, b));
        await waitUntil(new Date(lastLock));
        const freed = await runPrune(repo);
        expect(freed.plan.retained.packs).toEqual([]);
        expect(freed.plan.deletePacks.map((p) => `data/${p.id.slice(0, 2)}/${p.id}`).sort()).toEqual(
          firstPacks,
        );
        for (const key of firstPacks) expect(await repo.storage.stat(key)).toBeUndefined();

        expect((await runCheck(repo, { readData: 'all' })).errors).toEqual([]);
        const target = await temp();
        await runRestore(repo, { snapshot: second, target });
        expect(await readFile(join(target, src, 'agenda.txt'), 'utf8')).toBe('agenda for April\n');
      });
    });

    it('check reports snapshots resting on objects locked for less than policy, and the next backup mends it', async () => {
      await withLockSeconds(120, async () => {
        const repo = await lockedRepo();
        const src = await temp();
        await writeFile(join(src, 'payroll.csv'), seededBytes(9, 200_000));
        const first = (await runBackup(repo, { paths: [src] })).snapshotId!;
        const [pack] = await dataKeys(repo);

        // a cache that claims everything is locked for years (copied from elsewhere, or a lock shortened
        // behind its back): the next backup believes it and extends nothing
        const cache = await LockHorizons.load(
          process.env.COFFER_CACHE_DIR!,
          repo.config.id,
          repo.storage.location,
        );
        const keys: string[] = [];
        for await (const { key } of repo.storage.list('')) keys.push(key);
        for (const key of keys) cache.set(key, new Date(Date.now() + 1e12));
        await cache.save(keys);
        const second = (await runBackup(repo, { paths: [src] })).snapshotId!;

        const check = await runCheck(repo);
        expect(check.errors).toEqual([]);
        const note = check.notes.find((n) => n.kind === 'lock-short');
        expect(note?.snapshots).toEqual([second]);
        expect(note?.snapshots).not.toContain(first);
        expect(note?.objects).toContain(pack);
        expect(note?.message).toMatch(
          /1 snapshot taken within the lock period \(30 days\) depends on objects whose Object Lock ends sooner/,
        );

        // check wrote what it read into the cache, so the next backup extends what is short
        await runBackup(repo, { paths: [src] });
        const after = await runCheck(repo);
        expect(after.notes.map((n) => n.kind)).not.toContain('lock-short');
      });
    });
  });
}
