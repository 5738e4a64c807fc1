// --job against S3 (a real s3rver process): credentials from the config file's references, and the
// admin credentials (the job's admin-credentials, or an AWS profile) reaching the S3 client for prune.
// s3rver checks the access key id (not the signature), so an unknown key id is what it refuses.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coffer, FAST_KDF_ARGS, tempDir, writeSecret } from '../helpers/cli.js';
import { startS3rver, type S3TestServer } from '../servers/s3rver.js';

const PASSWORD = 'council s3 job password';
let server: S3TestServer;
let work: { path: string; cleanup: () => Promise<void> };
let config: string;
let data: string;
/** No AWS variables and no usable shared files: the S3 client has only what coffer gives it. */
let isolated: Record<string, string>;

beforeAll(async () => {
  [server, work] = await Promise.all([startS3rver(), tempDir('coffer-config-s3-')]);
  const run = randomBytes(4).toString('hex');
  const location = (name: string): string => `s3:${server.endpoint}/${server.bucket}/${name}-${run}`;
  data = join(work.path, 'documents');
  await mkdir(data);
  await writeFile(join(data, 'minutes.txt'), 'minutes');
  const passwordFile = await writeSecret(work.path, 'job.pass', PASSWORD);
  const secretFile = await writeSecret(work.path, 's3.secret', server.secretAccessKey);
  await writeFile(
    join(work.path, 'aws-credentials'),
    `[good-admin]\naws_access_key_id = ${server.accessKeyId}\naws_secret_access_key = ${server.secretAccessKey}\n` +
      `[wrong-admin]\naws_access_key_id = NOTAKEYID\naws_secret_access_key = wrong-admin-secret\n`,
    { mode: 0o600 },
  );
  const credentials = `{ access-key-id: { env: JOB_S3_KEY_ID }, secret-access-key: { file: ${secretFile} }, region: us-east-1 }`;
  config = join(work.path, 'coffer.yaml');
  await writeFile(
    config,
    `jobs:
  docs:
    repository: ${location('docs')}
    password: { file: ${passwordFile} }
    credentials: ${credentials}
    sources: [${data}]
  split:
    repository: ${location('split')}
    password: { file: ${passwordFile} }
    credentials: ${credentials}
    admin-credentials: { access-key-id: { env: JOB_ADMIN_KEY_ID }, secret-access-key: { command: "echo wrong-admin-secret" } }
    sources: [${data}]
  wrong-key:
    repository: ${location('docs')}
    password: { file: ${passwordFile} }
    credentials: { access-key-id: { env: JOB_ADMIN_KEY_ID }, secret-access-key: { file: ${secretFile} } }
    sources: [${data}]
`,
  );
  await chmod(config, 0o644);
  isolated = {
    COFFER_CONFIG: config,
    JOB_S3_KEY_ID: server.accessKeyId,
    JOB_ADMIN_KEY_ID: 'NOTAKEYID',
    AWS_SHARED_CREDENTIALS_FILE: join(work.path, 'aws-credentials'),
    AWS_CONFIG_FILE: join(work.path, 'no-aws-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    COFFER_RETRY_ATTEMPTS: '2',
    COFFER_RETRY_BASE_MS: '10',
  };
  for (const job of ['docs', 'split']) {
    // init takes the storage (and so the credentials) from the job; the new password from the environment
    const init = await coffer(['init', '--job', job, ...FAST_KDF_ARGS], {
      ...isolated,
      COFFER_PASSWORD: PASSWORD,
    });
    expect(init.code, init.stderr).toBe(0);
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.stop(), work?.cleanup()]);
});

describe('--job with S3 credentials from the config file', () => {
  it('backup --job and snapshots --job work with no AWS variables at all', async () => {
    const backup = await coffer(['backup', '--job', 'docs'], isolated);
    expect(backup.code, backup.stderr).toBe(0);
    const snapshots = await coffer(['snapshots', '--job', 'docs', '--json'], isolated);
    expect(snapshots.code, snapshots.stderr).toBe(0);
    const list = JSON.parse(snapshots.stdout) as { paths: string[] }[];
    expect(list.map((s) => s.paths)).toEqual([[data]]);
  });

  it('a job whose key the server does not know fails as a credentials error, naming no secret', async () => {
    const r = await coffer(['snapshots', '--job', 'wrong-key'], isolated);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/credential|access denied|signature/i);
    expect(r.stderr).not.toContain(server.secretAccessKey);
  });

  it('an unset variable a credential refers to is named, with the job', async () => {
    const { JOB_S3_KEY_ID: _unset, ...env } = isolated;
    const r = await coffer(['snapshots', '--job', 'docs'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'the access key id of the credentials of job "docs": environment variable JOB_S3_KEY_ID is not set',
    );
  });
});

describe('admin credentials for forget, prune and rewrite', () => {
  it("prune --job uses the job's admin-credentials, not its everyday ones", async () => {
    const backup = await coffer(['backup', '--job', 'split'], isolated);
    expect(backup.code, backup.stderr).toBe(0); // the everyday key works
    const prune = await coffer(['prune', '--job', 'split'], isolated);
    expect(prune.code).toBe(1);
    expect(prune.stderr).toMatch(/credential|access denied|signature/i);
    expect(prune.stderr).not.toContain('wrong-admin-secret');
  });

  it('--admin-credentials PROFILE takes precedence over the job’s, and only for deleting commands', async () => {
    const good = await coffer(['prune', '--job', 'split', '--admin-credentials', 'good-admin'], isolated);
    expect(good.code, good.stderr).toBe(0);
    // a wrong admin profile does not disturb a command that deletes nothing
    const snapshots = await coffer(
      ['snapshots', '--job', 'split', '--admin-credentials', 'wrong-admin'],
      isolated,
    );
    expect(snapshots.code, snapshots.stderr).toBe(0);
  });

  it('without a job: the profile from --admin-credentials or COFFER_ADMIN_PROFILE reaches the S3 client', async () => {
    const location = `s3:${server.endpoint}/${server.bucket}/plain-${randomBytes(4).toString('hex')}`;
    const everyday = {
      AWS_ACCESS_KEY_ID: server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_SHARED_CREDENTIALS_FILE: isolated.AWS_SHARED_CREDENTIALS_FILE!,
      COFFER_PASSWORD: PASSWORD,
      COFFER_RETRY_ATTEMPTS: '2',
      COFFER_RETRY_BASE_MS: '10',
    };
    expect((await coffer(['init', '-r', location, ...FAST_KDF_ARGS], everyday)).code).toBe(0);
    expect((await coffer(['backup', '-r', location, data], everyday)).code).toBe(0);

    const wrongFlag = await coffer(['prune', '-r', location, '--admin-credentials', 'wrong-admin'], everyday);
    expect(wrongFlag.code).toBe(1);
    expect(wrongFlag.stderr).toMatch(/credential|access denied|signature/i);
    expect(wrongFlag.stderr).not.toContain('wrong-admin-secret');

    const wrongEnv = await coffer(['forget', '-r', location, '--keep-last', '1'], {
      ...everyday,
      COFFER_ADMIN_PROFILE: 'wrong-admin',
    });
    expect(wrongEnv.code).toBe(1);

    const right = await coffer(['prune', '-r', location], {
      ...everyday,
      COFFER_ADMIN_PROFILE: 'good-admin',
    });
    expect(right.code, right.stderr).toBe(0);

    const noSuchProfile = await coffer(['prune', '-r', location, '--admin-credentials', 'nobody'], everyday);
    expect(noSuchProfile.code).toBe(2);
    expect(noSuchProfile.stderr).toContain(
      `there is no profile "nobody" in ${isolated.AWS_SHARED_CREDENTIALS_FILE} (it has good-admin, wrong-admin)`,
    );
  });
});
