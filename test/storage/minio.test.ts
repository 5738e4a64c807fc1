// The conformance suite against S3Storage on MinIO, which honours If-None-Match; skipped, saying why, without Docker.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { S3Storage } from '../../src/storage/s3.js';
import { minioSkipReason, startMinio } from '../servers/minio.js';
import type { S3TestServer } from '../servers/s3rver.js';
import { runStorageConformance } from './conformance.js';

const skipReason = await minioSkipReason();

if (skipReason) {
  it('runs the storage conformance suite against MinIO', (ctx) => {
    console.warn(`MinIO suite skipped: ${skipReason}`);
    ctx.skip(skipReason);
  });
} else {
  describe('MinIO', () => {
    let server: S3TestServer;
    const bucket = 'coffer-test';
    beforeAll(async () => {
      server = await startMinio();
      const admin = s3(server, '');
      await admin.create();
      admin.destroy();
    });
    afterAll(() => server?.stop());
    runStorageConformance('s3 (MinIO)', async () => {
      const storage = s3(server, `run-${randomBytes(6).toString('hex')}`);
      return { storage, cleanup: async () => storage.destroy() };
    });

    function s3(srv: S3TestServer, prefix: string): S3Storage {
      return new S3Storage({
        endpoint: srv.endpoint,
        bucket,
        prefix,
        credentials: { accessKeyId: srv.accessKeyId, secretAccessKey: srv.secretAccessKey },
        multipartThreshold: 8 * 1024 * 1024,
        partSize: 5 * 1024 * 1024,
        listPageSize: 250,
      });
    }
  });
}
