// Split credentials through the built CLI, with the bucket policy exactly as docs/immutability.md gives it:
// the backup key pair backs up (and extends locks) but cannot delete; forget and prune with it stop at
// "access denied"; with --admin-credentials (the bucket owner's profile) they work.

import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  DeleteObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coffer, FAST_KDF_ARGS, tempDir } from '../helpers/cli.js';
import type { S3TestServer } from '../servers/s3rver.js';
import { BACKUP_USER, bucketName, rawClient, rejection, waitUntil } from './rgw-lock.js';

const DOC = fileURLToPath(new URL('../../docs/immutability.md', import.meta.url));
const PASSWORD = 'council repository password';
/** start.sh's first user: the bucket owner, here the admin. */
const ADMIN_ARN = 'arn:aws:iam:::user/test';
/** Locks of a few seconds, so the test can watch them end (docs/immutability.md, "testing"). */
const LOCK_SECONDS = '3';

/** The bucket policy JSON from the guide, for this bucket, folder and backup user. */
async function policyFromGuide(bucket: string, folder: string): Promise<string> {
  const doc = await readFile(DOC, 'utf8');
  const block = [...doc.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((b) => b.includes('"Statement"'));
  if (!block) throw new Error('docs/immutability.md has no bucket policy');
  JSON.parse(block); // the guide's JSON must be valid as printed
  return block
    .replaceAll('arn:aws:iam::ACCOUNT-ID:user/coffer-backup', BACKUP_USER.arn)
    .replaceAll('arn:aws:iam::ACCOUNT-ID:user/coffer-admin', ADMIN_ARN)
    .replaceAll('council-backups/council/', `${bucket}/${folder}/`)
    .replaceAll('arn:aws:s3:::council-backups"', `arn:aws:s3:::${bucket}"`)
    .replaceAll('arn:aws:s3:::council-backups/*"', `arn:aws:s3:::${bucket}/*"`);
}

export function defineSplitCredentialTests(server: () => S3TestServer): void {
  describe('split credentials (CLI, bucket policy from docs/immutability.md)', () => {
    let dir: { path: string; cleanup: () => Promise<void> };
    let owner: S3Client;
    let bucket: string;
    let repo: string;
    let source: string;
    let backupEnv: Record<string, string>;
    let adminEnv: Record<string, string>;

    beforeAll(async () => {
      dir = await tempDir('coffer-split-');
      owner = rawClient(server());
      bucket = bucketName('split');
      repo = `s3:${server().endpoint}/${bucket}/council`;
      source = join(dir.path, 'documents');
      await mkdir(source);
      const credentials = join(dir.path, 'aws-credentials');
      await writeFile(
        credentials,
        `[council-admin]\naws_access_key_id = ${server().accessKeyId}\naws_secret_access_key = ${server().secretAccessKey}\n`,
        { mode: 0o600 },
      );
      const common = {
        COFFER_REPOSITORY: repo,
        COFFER_PASSWORD: PASSWORD,
        COFFER_TEST_LOCK_SECONDS: LOCK_SECONDS,
        COFFER_CACHE_DIR: join(dir.path, 'cache'),
        AWS_REGION: 'us-east-1',
      };
      // the backup computer has only the backup key pair; the admin computer also has the admin profile
      backupEnv = {
        ...common,
        AWS_ACCESS_KEY_ID: BACKUP_USER.accessKeyId,
        AWS_SECRET_ACCESS_KEY: BACKUP_USER.secretAccessKey,
      };
      adminEnv = { ...backupEnv, AWS_SHARED_CREDENTIALS_FILE: credentials };

      // 1. the admin creates bucket and repository with the owner's key pair, 2. applies the policy
      const init = await coffer(
        ['init', '--object-lock', 'governance', '--lock-days', '30', ...FAST_KDF_ARGS],
        {
          ...common,
          AWS_ACCESS_KEY_ID: server().accessKeyId,
          AWS_SECRET_ACCESS_KEY: server().secretAccessKey,
        },
      );
      expect(init.code, init.stderr).toBe(0);
      await owner.send(
        new PutBucketPolicyCommand({ Bucket: bucket, Policy: await policyFromGuide(bucket, 'council') }),
      );
    });
    afterAll(async () => {
      owner?.destroy();
      await dir?.cleanup();
    });

    /** When every lock set so far has ended, read with the admin profile's dry runs. */
    async function lastLock(): Promise<Date> {
      const forget = await coffer(['--json', 'forget', '--keep-last', '1', '--dry-run'], adminEnv);
      const prune = await coffer(['--json', 'prune', '--dry-run'], adminEnv);
      const f = JSON.parse(forget.stdout) as { retained: { until: string }[] };
      const p = JSON.parse(prune.stdout) as {
        retained: { packs: { until: string }[]; indexFiles: { until: string }[] };
      };
      const dates = [...f.retained, ...p.retained.packs, ...p.retained.indexFiles].map((x) =>
        Date.parse(x.until),
      );
      return new Date(Math.max(Date.now(), ...dates));
    }

    it('the backup key pair backs up (extending locks), but forget and prune stop at access denied', async () => {
      for (const text of ['first', 'second']) {
        await writeFile(join(source, `${text}.txt`), `${text} version\n`);
        const backup = await coffer(['backup', source], backupEnv);
        expect(backup.code, backup.stderr).toBe(0);
      }
      await waitUntil(await lastLock());

      const forget = await coffer(['forget', '--keep-last', '1'], backupEnv);
      expect(forget.code).toBe(1);
      expect(forget.stderr).toMatch(/delete snapshots\/[0-9a-f]+ at .*access denied \(AccessDenied\)/);
      const prune = await coffer(['prune'], backupEnv);
      expect(prune.code).toBe(1);
      expect(prune.stderr).toMatch(/delete index\/[0-9a-f]+ at .*access denied/);
      const snapshots = await coffer(['--json', 'snapshots'], backupEnv);
      expect(JSON.parse(snapshots.stdout)).toHaveLength(2);
      expect((await coffer(['check'], backupEnv)).code).toBe(0);
    });

    it('the backup key pair cannot delete a locked version or bypass governance, even directly', async () => {
      const client = rawClient(server(), BACKUP_USER);
      try {
        const listed = await owner.send(
          new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'council/config' }),
        );
        const version = listed.Versions![0]!;
        for (const bypass of [false, true]) {
          const err = await rejection(
            client.send(
              new DeleteObjectCommand({
                Bucket: bucket,
                Key: 'council/config',
                VersionId: version.VersionId!,
                ...(bypass ? { BypassGovernanceRetention: true } : {}),
              }),
            ),
          );
          expect(err.name).toBe('AccessDenied');
        }
        expect(
          (await rejection(client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'council/config' }))))
            .name,
        ).toBe('AccessDenied');
        const config = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'council/config' }));
        expect((await config.Body!.transformToString()).length).toBeGreaterThan(0);
      } finally {
        client.destroy();
      }
    });

    it('with --admin-credentials the same commands work, and backups go on afterwards', async () => {
      const forget = await coffer(
        ['--admin-credentials', 'council-admin', 'forget', '--keep-last', '1', '--prune'],
        adminEnv,
      );
      expect(forget.code, forget.stderr).toBe(0);
      expect(forget.stdout).toMatch(/removed 1 snapshot/);
      const snapshots = await coffer(['--json', 'snapshots'], backupEnv);
      expect(JSON.parse(snapshots.stdout)).toHaveLength(1);

      await writeFile(join(source, 'third.txt'), 'third version\n');
      expect((await coffer(['backup', source], backupEnv)).code).toBe(0);
      const check = await coffer(['check'], backupEnv);
      expect(check.code, check.stdout + check.stderr).toBe(0);
    });
  });
}
