// The conformance suite against S3Storage on s3rver, with small parts and pages so both limits are crossed.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { S3Storage } from '../../src/storage/s3.js';
import { startS3rver, type S3TestServer } from '../servers/s3rver.js';
import { runStorageConformance } from './conformance.js';

let server: S3TestServer;
beforeAll(async () => {
  server = await startS3rver();
});
afterAll(() => server?.stop());

// s3rver ignores If-None-Match, so only the HEAD-then-PUT check guards ifAbsent there
runStorageConformance(
  's3 (s3rver)',
  async () => {
    const storage = new S3Storage({
      endpoint: server.endpoint,
      bucket: server.bucket!,
      prefix: `run-${randomBytes(6).toString('hex')}`,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      multipartThreshold: 8 * 1024 * 1024,
      partSize: 5 * 1024 * 1024,
      listPageSize: 250,
    });
    return { storage, cleanup: async () => storage.destroy() };
  },
  { atomicIfAbsent: false },
);
