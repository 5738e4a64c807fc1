// What the Object Lock suites share: the RGW server, a raw S3 client to look past coffer, bucket names,
// S3Storage factories, and a test-only lock period in seconds.

import { randomBytes } from 'node:crypto';
import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
  type ObjectVersion,
} from '@aws-sdk/client-s3';
import { S3Storage } from '../../src/storage/s3.js';
import type { S3TestServer } from '../servers/s3rver.js';

/** The second user start.sh creates (ARN arn:aws:iam:::user/test2): the backup machine's key pair. */
export const BACKUP_USER = {
  arn: 'arn:aws:iam:::user/test2',
  accessKeyId: process.env.COFFER_TEST_RGW_ACCESS_KEY2 ?? 'TESTACCESSKEY2',
  secretAccessKey: process.env.COFFER_TEST_RGW_SECRET_KEY2 ?? 'TESTSECRETKEY2',
};

export function bucketName(what: string): string {
  return `${what}-${randomBytes(4).toString('hex')}`;
}

export function rawClient(
  server: S3TestServer,
  keys: { accessKeyId: string; secretAccessKey: string } = server,
): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
}

export function s3Storage(
  server: S3TestServer,
  bucket: string,
  prefix = '',
  keys: { accessKeyId: string; secretAccessKey: string } = server,
): S3Storage {
  return new S3Storage({
    endpoint: server.endpoint,
    bucket,
    prefix,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    multipartThreshold: 6 * 1024 * 1024,
    partSize: 5 * 1024 * 1024,
  });
}

/** Every stored version of `key` (newest first), delete markers left out. */
export async function versionsOf(client: S3Client, bucket: string, key: string): Promise<ObjectVersion[]> {
  const res = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return (res.Versions ?? []).filter((v) => v.Key === key);
}

export async function readVersion(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<Uint8Array> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return res.Body!.transformToByteArray();
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

/**
 * Runs `fn` with the lock period read as `seconds` seconds (COFFER_TEST_LOCK_SECONDS), so retention can
 * be watched ending on a real server; in-process only (a CLI child takes it from its environment).
 */
export async function withLockSeconds<T>(seconds: number, fn: () => Promise<T>): Promise<T> {
  const before = process.env.COFFER_TEST_LOCK_SECONDS;
  process.env.COFFER_TEST_LOCK_SECONDS = String(seconds);
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.COFFER_TEST_LOCK_SECONDS;
    else process.env.COFFER_TEST_LOCK_SECONDS = before;
  }
}

/** Waits until the wall clock passes `time` (plus a little): for retention that a real server ends. */
export async function waitUntil(time: Date): Promise<void> {
  const ms = time.getTime() - Date.now() + 300;
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
