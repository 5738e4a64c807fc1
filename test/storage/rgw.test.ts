// The conformance suite against S3Storage on Ceph RGW, which honours If-None-Match and checks signatures.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/storage/index.js';
import { S3Storage } from '../../src/storage/s3.js';
import { rgwSkipReason, startRgw } from '../servers/rgw.js';
import type { S3TestServer } from '../servers/s3rver.js';
import { runStorageConformance } from './conformance.js';

const skipReason = rgwSkipReason();
const bucket = `coffer-${randomBytes(4).toString('hex')}`;

function s3(server: S3TestServer, prefix: string, secretAccessKey = server.secretAccessKey): S3Storage {
  return new S3Storage({
    endpoint: server.endpoint,
    bucket,
    prefix,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey },
    multipartThreshold: 8 * 1024 * 1024,
    partSize: 5 * 1024 * 1024,
    listPageSize: 250,
  });
}

if (skipReason) {
  it('runs the storage conformance suite against Ceph RGW', (ctx) => {
    console.warn(`Ceph RGW suite skipped: ${skipReason}`);
    ctx.skip(skipReason);
  });
} else {
  describe('Ceph RGW', () => {
    let server: S3TestServer;
    beforeAll(async () => {
      server = await startRgw();
      const admin = s3(server, '');
      await admin.create();
      admin.destroy();
    });
    // radosgw waits for open connections on SIGTERM, so each test's storage closes its own (cleanup)
    afterAll(() => server?.stop());

    // RGW answers 412 to If-None-Match: *, so concurrent ifAbsent puts are decided by the server
    runStorageConformance(
      's3 (Ceph RGW)',
      async () => {
        const storage = s3(server, `run-${randomBytes(6).toString('hex')}`);
        return { storage, cleanup: async () => storage.destroy() };
      },
      { atomicIfAbsent: true },
    );

    it('refuses a wrong secret key with a clear, permanent error', async () => {
      const storage = s3(server, 'x', 'not-the-secret');
      const err = await storage.put('keys/k', Uint8Array.of(1)).catch((e: unknown) => e);
      storage.destroy();
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).transient).toBe(false);
      expect((err as Error).message).toMatch(/credentials were refused \(SignatureDoesNotMatch\)/);
      expect((err as Error).message).not.toContain('not-the-secret');
    });
  });
}
