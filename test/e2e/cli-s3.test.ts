// The CLI against S3 over HTTP: a real s3rver process, credentials from the standard AWS variables.

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coffer, FAST_KDF_ARGS } from '../helpers/cli.js';
import { awsEnv, startS3rver, type S3TestServer } from '../servers/s3rver.js';
import { runCliKeyTests } from './cli-keys.js';

let server: S3TestServer;
beforeAll(async () => {
  server = await startS3rver();
});
afterAll(() => server?.stop());

runCliKeyTests('S3 (s3rver)', async () => {
  const run = randomBytes(4).toString('hex');
  let n = 0;
  return {
    get env() {
      return awsEnv(server);
    },
    location: () => `s3:${server.endpoint}/${server.bucket}/cli-${run}-${++n}`,
    cleanup: async () => {},
  };
});

describe('coffer CLI, S3 specifics', () => {
  it('init creates a missing bucket', async () => {
    const bucket = `fresh-${randomBytes(4).toString('hex')}`;
    const repo = `s3:${server.endpoint}/${bucket}`;
    const r = await coffer(['init', '-r', repo, ...FAST_KDF_ARGS], {
      ...awsEnv(server),
      COFFER_PASSWORD: 'pw',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(
      (await coffer(['key', 'list', '-r', repo], { ...awsEnv(server), COFFER_PASSWORD: 'pw' })).code,
    ).toBe(0);
  });

  it('wrong credentials fail with a message saying so, without echoing the secret', async () => {
    const repo = `s3:${server.endpoint}/${server.bucket}/creds`;
    const r = await coffer(['key', 'list', '-r', repo], {
      // s3rver checks the access key id but not the signature, so an unknown key id is what it refuses.
      AWS_ACCESS_KEY_ID: 'UNKNOWNKEYID',
      AWS_SECRET_ACCESS_KEY: 'definitely-wrong-secret',
      AWS_REGION: 'us-east-1',
      COFFER_PASSWORD: 'pw',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/credential|access denied|signature/i);
    expect(r.stderr).not.toContain('definitely-wrong-secret');
  });

  it('an unreachable endpoint fails after the retry budget with a message naming the endpoint', async () => {
    const port = await closedPort();
    const r = await coffer(['key', 'list', '-r', `s3:http://127.0.0.1:${port}/bucket`], {
      ...awsEnv(server),
      COFFER_PASSWORD: 'pw',
      COFFER_RETRY_ATTEMPTS: '3',
      COFFER_RETRY_BASE_MS: '10',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    expect(r.stderr).toMatch(/after 3 attempts/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses credentials written into the location, without repeating them', async () => {
    const r = await coffer(['key', 'list', '-r', `s3:http://AKIAXX:topsecret@127.0.0.1:9/bucket`], {
      COFFER_PASSWORD: 'pw',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('topsecret');
  });
});

/** A loopback port nothing listens on: bind one, note it, close it. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
