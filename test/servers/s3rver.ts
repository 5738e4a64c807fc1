// s3rver (a small S3 emulator) in a child process on a free loopback port, for S3 backend tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** An S3 endpoint a test can use, and how to end it. */
export interface S3TestServer {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A bucket that already exists, if the server made one. */
  readonly bucket?: string;
  stop(): Promise<void>;
}

const BUCKET = 'coffer-test';

// The child: runs s3rver on port 0 (the kernel picks a free one, no race), prints the port, and
// exits, deleting its data folder, when its stdin closes, which happens whenever this process ends,
// even by SIGKILL, so a crashed test run leaves no s3rver behind.
const CHILD = `
const { rmSync } = require('node:fs');
const S3rver = require(process.env.S3RVER_MODULE);
const dir = process.env.S3RVER_DIR;
const end = () => { rmSync(dir, { recursive: true, force: true }); process.exit(0); };
process.stdin.on('end', end);
process.stdin.on('error', end);
process.stdin.resume();
process.on('SIGTERM', end);
new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true,
             configureBuckets: [{ name: process.env.S3RVER_BUCKET, configs: [] }] })
  .run()
  .then(({ port }) => process.stdout.write(JSON.stringify({ port }) + '\\n'))
  .catch((err) => { console.error(err); process.exit(1); });
`;

/** Starts s3rver with credentials S3RVER/S3RVER and a bucket `coffer-test`; resolves once it answers HTTP. */
export async function startS3rver(): Promise<S3TestServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-s3rver-'));
  const child = spawn(process.execPath, ['-e', CHILD], {
    env: {
      ...process.env,
      // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider
      NODE_OPTIONS: '--openssl-legacy-provider',
      S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'),
      S3RVER_DIR: dir,
      S3RVER_BUCKET: BUCKET,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stop = (): Promise<void> => stopChild(child, dir);
  try {
    const port = await readPort(child, 15_000);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitForHttp(endpoint, 10_000);
    return { endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', bucket: BUCKET, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function readPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let errText = '';
    const timer = setTimeout(
      () => fail(new Error(`s3rver did not start within ${timeoutMs} ms: ${errText}`)),
      timeoutMs,
    );
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    child.stderr?.on('data', (d: Buffer) => (errText = (errText + d.toString()).slice(-2000)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /\{"port":(\d+)\}\n/.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`s3rver exited with ${code} before starting: ${errText}`)));
  });
}

async function waitForHttp(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      // any HTTP answer (s3rver gives 403 to an unsigned request) means it is serving
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`s3rver at ${endpoint} did not answer`, { cause: err });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}

/** The AWS environment variables that point the CLI (and the SDK's default chain) at a test server. */
export function awsEnv(server: S3TestServer): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
}
