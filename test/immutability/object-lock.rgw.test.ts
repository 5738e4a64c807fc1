// Immutability on Ceph RGW, the local server that implements versioning, Object Lock and bucket policies
// (s3rver has none of them): the storage capability, what the S3 API itself guarantees for objects coffer
// locked, how backup, forget, prune and check behave under Object Lock, and split credentials.
// Skipped (and saying so) only when RGW is not installed; CI installs it, and a failed start fails here.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { rgwSkipReason, startRgw } from '../servers/rgw.js';
import type { S3TestServer } from '../servers/s3rver.js';
import { defineCliLockTests } from './cli-lock.js';
import { defineRepositoryLockTests } from './repository-lock.js';
import { defineS3GuaranteeTests } from './s3-guarantees.js';
import { defineSplitCredentialTests } from './split-credentials.js';
import { defineStorageLockTests } from './storage-lock.js';

const skipReason = rgwSkipReason();

if (skipReason) {
  it('runs the Object Lock suite against Ceph RGW', (ctx) => {
    console.warn(`Object Lock suite skipped: ${skipReason}`);
    ctx.skip(skipReason);
  });
} else {
  describe('Object Lock on Ceph RGW', () => {
    let server: S3TestServer;
    let cacheDir: string;
    const cacheBefore = process.env.COFFER_CACHE_DIR;
    beforeAll(async () => {
      // backups here remember lock horizons in a folder of their own, never in ~/.cache
      cacheDir = await mkdtemp(join(tmpdir(), 'coffer-lock-cache-'));
      process.env.COFFER_CACHE_DIR = cacheDir;
      server = await startRgw();
    });
    afterAll(async () => {
      if (cacheBefore === undefined) delete process.env.COFFER_CACHE_DIR;
      else process.env.COFFER_CACHE_DIR = cacheBefore;
      if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
      await server?.stop();
    });

    defineStorageLockTests(() => server);
    defineS3GuaranteeTests(() => server);
    defineRepositoryLockTests(() => server);
    defineCliLockTests(() => server);
    defineSplitCredentialTests(() => server);
  });
}
