// What the S3 API itself guarantees for objects coffer wrote under Object Lock, asked directly, past coffer:
// a locked version cannot be deleted; an overwrite or a plain delete only stacks a new version or a delete
// marker on top, and the locked bytes stay readable by version id, so the repository can be put back.

import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/index.js';
import { runCheck } from '../../src/check/index.js';
import { initRepository, type LockPolicy, type Repository } from '../../src/repository/index.js';
import { fastKdf, seededBytes, TEST_PASSWORD } from '../helpers/repo.js';
import type { S3TestServer } from '../servers/s3rver.js';
import {
  bucketName,
  rawClient,
  readVersion,
  rejection,
  s3Storage,
  versionsOf,
  withLockSeconds,
} from './rgw-lock.js';

interface Locked {
  readonly repo: Repository;
  readonly bucket: string;
  /** The raw key (with the repository's prefix) of one pack. */
  readonly packKey: string;
  readonly versionId: string;
  readonly bytes: Uint8Array;
}

export function defineS3GuaranteeTests(server: () => S3TestServer): void {
  describe('what S3 guarantees for objects coffer locked', () => {
    let client: S3Client;
    let source: string;
    beforeAll(async () => {
      client = rawClient(server());
      source = await mkdtemp(join(tmpdir(), 'coffer-lock-src-'));
      await mkdir(join(source, 'finance'));
      await writeFile(join(source, 'finance/precept.xlsx'), seededBytes(41, 400_000));
    });
    afterAll(async () => {
      client?.destroy();
      if (source) await rm(source, { recursive: true, force: true });
    });

    async function lockedRepository(mode: LockPolicy['mode']): Promise<Locked> {
      const bucket = bucketName(mode);
      const repo = await withLockSeconds(600, async () => {
        const r = await initRepository(s3Storage(server(), bucket, 'council'), {
          password: TEST_PASSWORD,
          kdf: fastKdf,
          objectLock: { mode, days: 1 },
        });
        await runBackup(r, { paths: [source] });
        return r;
      });
      let packKey = '';
      for await (const { key } of repo.storage.list('data/')) packKey = `council/${key}`;
      const [version] = await versionsOf(client, bucket, packKey);
      const bytes = await readVersion(client, bucket, packKey, version!.VersionId!);
      return { repo, bucket, packKey, versionId: version!.VersionId!, bytes };
    }

    it('compliance: nobody can delete a locked version, not even the bucket owner with a governance bypass', async () => {
      const { bucket, packKey, versionId, bytes } = await lockedRepository('compliance');
      const err = await rejection(
        client.send(
          new DeleteObjectCommand({
            Bucket: bucket,
            Key: packKey,
            VersionId: versionId,
            BypassGovernanceRetention: true,
          }),
        ),
      );
      expect(err.name).toBe('AccessDenied');
      expect(await readVersion(client, bucket, packKey, versionId)).toEqual(bytes);
    });

    it('governance: deleting a locked version without the bypass permission is refused', async () => {
      const { bucket, packKey, versionId, bytes } = await lockedRepository('governance');
      const err = await rejection(
        client.send(new DeleteObjectCommand({ Bucket: bucket, Key: packKey, VersionId: versionId })),
      );
      expect(err.name).toBe('AccessDenied');
      expect(await readVersion(client, bucket, packKey, versionId)).toEqual(bytes);
    });

    it('an overwrite or a plain delete hides the locked bytes but cannot destroy them: check sees it, copying the version back repairs it', async () => {
      const { repo, bucket, packKey, versionId, bytes } = await lockedRepository('compliance');
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: packKey, Body: Buffer.from('ransomware was here') }),
      );
      const versions = await versionsOf(client, bucket, packKey);
      expect(versions).toHaveLength(2);
      expect(await readVersion(client, bucket, packKey, versionId)).toEqual(bytes);
      const damaged = await runCheck(repo, { readData: 'all' });
      expect(damaged.ok).toBe(false);

      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: packKey }));
      expect(await repo.storage.stat(packKey.slice('council/'.length))).toBeUndefined();
      expect((await runCheck(repo)).errors.map((e) => e.kind)).toContain('pack-missing');
      expect(await readVersion(client, bucket, packKey, versionId)).toEqual(bytes);

      // what docs/immutability.md tells a council to do: copy the locked version back on top
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: packKey,
          CopySource: `${bucket}/${packKey}?versionId=${encodeURIComponent(versionId)}`,
        }),
      );
      const repaired = await runCheck(repo, { readData: 'all' });
      expect(repaired.errors).toEqual([]);
    });
  });
}
