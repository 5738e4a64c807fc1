// The Object Lock capability of S3Storage on a real server: bucket creation with Object Lock, retention on
// put (single and multipart), reading it, extending it, and the service refusing to shorten it.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, openStorage, StorageError } from '../../src/storage/index.js';
import type { S3Storage } from '../../src/storage/s3.js';
import type { S3TestServer } from '../servers/s3rver.js';
import { bucketName, rejection, s3Storage } from './rgw-lock.js';

const later = (seconds: number): Date => new Date(Date.now() + seconds * 1000);
const closeTo = (a: Date | undefined, b: Date): boolean =>
  a !== undefined && Math.abs(a.getTime() - b.getTime()) < 1000;

export function defineStorageLockTests(server: () => S3TestServer): void {
  describe('S3Storage Object Lock', () => {
    let locked: S3Storage;
    let plain: S3Storage;
    beforeAll(async () => {
      locked = s3Storage(server(), bucketName('lock'), 'repo');
      await locked.create({ objectLock: true });
      plain = s3Storage(server(), bucketName('plain'), 'repo');
      await plain.create();
    });
    afterAll(() => {
      locked?.destroy();
      plain?.destroy();
    });

    it('creates a bucket with Object Lock when asked, and tells a plain bucket from a locked one', async () => {
      expect(await locked.objectLock.enabled()).toBe(true);
      expect(await plain.objectLock.enabled()).toBe(false);
      await locked.create({ objectLock: true }); // an existing bucket is left as it is
      expect(await locked.objectLock.enabled()).toBe(true);
    });

    it('puts an object with retention, and reads the retention back', async () => {
      const until = later(120);
      await locked.put('data/a', Uint8Array.of(1, 2, 3), { retention: { mode: 'governance', until } });
      const got = await locked.objectLock.retention('data/a');
      expect(got?.mode).toBe('governance');
      expect(closeTo(got?.until, until)).toBe(true);
      expect(await locked.get('data/a')).toEqual(Uint8Array.of(1, 2, 3));
      await locked.put('data/b', Uint8Array.of(4));
      expect(await locked.objectLock.retention('data/b')).toBeUndefined();
    });

    it('gives a multipart upload its retention too (RGW ignores it on CreateMultipartUpload)', async () => {
      const until = later(120);
      const body = randomBytes(11 * 1024 * 1024);
      await locked.put('data/big', body, { retention: { mode: 'compliance', until } });
      const got = await locked.objectLock.retention('data/big');
      expect(got?.mode).toBe('compliance');
      expect(closeTo(got?.until, until)).toBe(true);
      expect(Buffer.from(await locked.get('data/big')).equals(body)).toBe(true);
    });

    it('extends retention, and the service refuses to shorten it or to weaken compliance', async () => {
      await locked.put('data/c', Uint8Array.of(5), { retention: { mode: 'governance', until: later(60) } });
      const longer = later(600);
      await locked.objectLock.extend('data/c', { mode: 'governance', until: longer });
      expect(closeTo((await locked.objectLock.retention('data/c'))?.until, longer)).toBe(true);

      const shorter = await rejection(
        locked.objectLock.extend('data/c', { mode: 'governance', until: later(30) }),
      );
      expect(shorter).toBeInstanceOf(StorageError);
      expect(shorter).not.toBeInstanceOf(NotFoundError);
      expect(shorter.message).toMatch(/extend retention of data\/c .*access denied/);
      expect(closeTo((await locked.objectLock.retention('data/c'))?.until, longer)).toBe(true);

      await locked.put('data/d', Uint8Array.of(6), { retention: { mode: 'compliance', until: later(60) } });
      const weaker = await rejection(
        locked.objectLock.extend('data/d', { mode: 'governance', until: later(600) }),
      );
      expect(weaker).toBeInstanceOf(StorageError);
      expect((await locked.objectLock.retention('data/d'))?.mode).toBe('compliance');
    });

    it('reports a missing object as NotFoundError for both retention and extend', async () => {
      expect(await rejection(locked.objectLock.retention('data/none'))).toBeInstanceOf(NotFoundError);
      expect(
        await rejection(locked.objectLock.extend('data/none', { mode: 'governance', until: later(60) })),
      ).toBeInstanceOf(NotFoundError);
    });

    it('refuses, permanently, retention on a bucket without Object Lock', async () => {
      const err = await rejection(
        plain.put('data/x', Uint8Array.of(1), { retention: { mode: 'governance', until: later(60) } }),
      );
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).transient).toBe(false);
      expect(await plain.stat('data/x')).toBeUndefined();
    });

    it('keeps the capability through openStorage (lazy loading and the retry wrapper)', async () => {
      const s = server();
      const url = new URL(s.endpoint);
      const bucket = bucketName('open');
      const storage = openStorage(`s3:http://${url.host}/${bucket}/p`, {
        s3: { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } },
      });
      await storage.create!({ objectLock: true });
      expect(await storage.objectLock!.enabled()).toBe(true);
      const until = later(90);
      await storage.put('k', Uint8Array.of(1), { retention: { mode: 'governance', until } });
      expect(closeTo((await storage.objectLock!.retention('k'))?.until, until)).toBe(true);
    });
  });
}
