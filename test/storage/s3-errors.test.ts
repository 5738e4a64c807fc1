// How S3 failures reach the user: refused credentials, unreachable or silent endpoints, missing buckets.

import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Error } from '../../src/storage/s3-errors.js';
import { S3Storage } from '../../src/storage/s3.js';
import {
  NotFoundError,
  StorageError,
  StorageUnavailableError,
  openStorage,
  type Storage,
} from '../../src/storage/index.js';
import { startS3rver, type S3TestServer } from '../servers/s3rver.js';

let server: S3TestServer;
beforeAll(async () => {
  server = await startS3rver();
});
afterAll(() => server?.stop());

const credentials = (): { accessKeyId: string; secretAccessKey: string } => ({
  accessKeyId: server.accessKeyId,
  secretAccessKey: server.secretAccessKey,
});

async function failure(p: Promise<unknown> | AsyncIterable<unknown>): Promise<unknown> {
  try {
    if (Symbol.asyncIterator in p) for await (const _ of p);
    else await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('refused credentials', () => {
  it('give a clear, permanent error that names the host and key but not the secret', async () => {
    let retries = 0;
    const storage = openStorage(`s3:${server.endpoint}/${server.bucket}`, {
      s3: { credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'very-secret-value' } },
      retry: { baseDelayMs: 1, onRetry: () => retries++ },
    });
    const host = new URL(server.endpoint).host;
    for (const [op, call] of [
      ['get', () => storage.get('keys/ab12')],
      ['put', () => storage.put('keys/ab12', Uint8Array.of(1))],
      ['list', () => storage.list('keys/')],
    ] as const) {
      // Each call starts only when awaited, so no rejection goes unhandled while another is awaited.
      const err = await failure(call());
      expect(err, op).toBeInstanceOf(StorageError);
      expect(err).not.toBeInstanceOf(StorageUnavailableError);
      const e = err as StorageError;
      expect(e.transient).toBe(false);
      expect(e.message).toMatch(/credentials were refused/);
      expect(e.message).toContain(host);
      expect(e.message).toContain('keys/');
      expect(e.message).not.toContain('very-secret-value');
    }
    expect(retries).toBe(0);
  });
});

describe('unreachable endpoint', () => {
  it('fails after the retry budget with StorageUnavailableError naming operation, key and endpoint', async () => {
    const port = await closedPort();
    let retries = 0;
    const storage = openStorage(`s3:http://127.0.0.1:${port}/coffer-test`, {
      s3: { credentials: credentials() },
      retry: { attempts: 3, baseDelayMs: 1, onRetry: () => retries++ },
    });
    const err = await failure(storage.get('keys/ab12'));
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^could not get keys/ab12 from s3:http://127\\.0\\.0\\.1:${port}/coffer-test after 3 attempts: .*ECONNREFUSED`,
      ),
    );
    expect(retries).toBe(2);
    const cause = (err as Error).cause as StorageError;
    expect(cause).toBeInstanceOf(StorageError);
    expect(cause.transient).toBe(true);
    expect(cause.message).toContain(`127.0.0.1:${port}`);
  });

  it('takes its retry budget from COFFER_RETRY_ATTEMPTS and COFFER_RETRY_BASE_MS', async () => {
    const port = await closedPort();
    const saved = { a: process.env.COFFER_RETRY_ATTEMPTS, b: process.env.COFFER_RETRY_BASE_MS };
    process.env.COFFER_RETRY_ATTEMPTS = '2';
    process.env.COFFER_RETRY_BASE_MS = '1';
    try {
      const storage = openStorage(`s3:http://127.0.0.1:${port}/coffer-test`, {
        s3: { credentials: credentials() },
      });
      const started = Date.now();
      const err = await failure(storage.stat('config'));
      expect(err).toBeInstanceOf(StorageUnavailableError);
      expect((err as Error).message).toMatch(/^could not stat config from .* after 2 attempts/);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      for (const [k, v] of [
        ['COFFER_RETRY_ATTEMPTS', saved.a],
        ['COFFER_RETRY_BASE_MS', saved.b],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('gives up on an endpoint that accepts connections but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s)).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const storage = openStorage(`s3:http://127.0.0.1:${port}/coffer-test`, {
        s3: { credentials: credentials(), socketTimeoutMs: 200 },
        retry: { attempts: 2, baseDelayMs: 1 },
      });
      const started = Date.now();
      const err = await failure(storage.get('config'));
      expect(err).toBeInstanceOf(StorageUnavailableError);
      expect((err as Error).message).toMatch(/after 2 attempts: .*(timed out|timeout)/i);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('buckets', () => {
  it('create() makes a missing bucket, and is harmless when it exists', async () => {
    const bucket = `made-${randomBytes(4).toString('hex')}`;
    const storage: Storage = new S3Storage({ endpoint: server.endpoint, bucket, credentials: credentials() });
    await expect(storage.get('config')).rejects.toBeInstanceOf(NotFoundError);
    const err = await failure(storage.put('config', Uint8Array.of(1)));
    expect((err as Error).message).toContain(`bucket ${bucket} does not exist`);
    await storage.create!();
    await storage.put('config', Uint8Array.of(7));
    expect(await storage.get('config')).toEqual(Uint8Array.of(7));
    await storage.create!();
    expect(await storage.stat('config')).toEqual({ size: 1 });
  });

  it('location shows endpoint, bucket and prefix, never credentials', () => {
    const storage = new S3Storage({
      endpoint: server.endpoint,
      bucket: 'b1',
      prefix: '/council/docs/',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'shh' },
    });
    expect(storage.location).toBe(`s3:${server.endpoint}/b1/council/docs`);
    expect(new S3Storage({ bucket: 'b2' }).location).toBe('s3:b2');
  });
});

describe('classification of S3 errors', () => {
  const sdkError = (name: string, status: number, message = name): S3ServiceException =>
    new S3ServiceException({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status },
      message,
    });
  const netError = (code: string, message: string): Error => Object.assign(new Error(message), { code });
  const classify = (err: unknown, op = 'get'): StorageError =>
    s3Error(op, 'data/ab/x', 'host:9000', 'bkt', err);

  it.each([
    ['503 SlowDown', sdkError('SlowDown', 503, 'Please reduce your request rate.')],
    ['500 InternalError', sdkError('InternalError', 500)],
    ['502 with no body', sdkError('Unknown', 502)],
    ['429 TooManyRequests', sdkError('TooManyRequests', 429)],
    ['400 RequestTimeout', sdkError('RequestTimeout', 400)],
    ['400 BadDigest', sdkError('BadDigest', 400)],
    ['ECONNRESET', netError('ECONNRESET', 'read ECONNRESET')],
    ['ETIMEDOUT', netError('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:443')],
    ['EAI_AGAIN', netError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN s3.example')],
    ['socket hang up', netError('ECONNRESET', 'socket hang up')],
    ['TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
  ])('%s is transient', (_, err) => {
    const e = classify(err);
    expect(e).toBeInstanceOf(StorageError);
    expect(e.transient).toBe(true);
    expect(e.message).toMatch(/^get data\/ab\/x at host:9000: /);
    expect(e.cause).toBe(err);
  });

  it.each([
    [
      '403 AccessDenied',
      sdkError('AccessDenied', 403, 'Access Denied'),
      /credentials were refused or lack permission/,
    ],
    [
      '403 InvalidAccessKeyId',
      sdkError('InvalidAccessKeyId', 403),
      /credentials were refused \(InvalidAccessKeyId\)/,
    ],
    ['403 SignatureDoesNotMatch', sdkError('SignatureDoesNotMatch', 403), /credentials were refused/],
    ['403 on HEAD, no body', sdkError('Unknown', 403), /access denied \(HTTP 403\)/],
    ['403 RequestTimeTooSkewed', sdkError('RequestTimeTooSkewed', 403), /clock/],
    ['400 InvalidArgument', sdkError('InvalidArgument', 400, 'bad'), /HTTP 400 InvalidArgument: bad/],
    [
      'ENOTFOUND',
      netError('ENOTFOUND', 'getaddrinfo ENOTFOUND s3.exmaple.com'),
      /cannot resolve host host:9000/,
    ],
    [
      'no credentials',
      Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
      /AWS_ACCESS_KEY_ID/,
    ],
  ])('%s is permanent with a helpful message', (_, err, message) => {
    const e = classify(err, 'put');
    expect(e.transient).toBe(false);
    expect(e.message).toMatch(message);
    expect(e.message).toContain('data/ab/x');
  });

  it('a missing key, or bucket on get, is NotFoundError', () => {
    expect(classify(sdkError('NoSuchKey', 404))).toBeInstanceOf(NotFoundError);
    expect(classify(sdkError('NoSuchBucket', 404))).toBeInstanceOf(NotFoundError);
    expect(classify(sdkError('NoSuchBucket', 404), 'put')).not.toBeInstanceOf(NotFoundError);
  });
});
