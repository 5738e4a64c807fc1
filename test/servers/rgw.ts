// Ceph RGW for S3 tests that need a faithful server (conditional PUT, real signatures): one started
// here from ceph-rgw/start.sh, or one already running named by COFFER_TEST_RGW_ENDPOINT.

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3TestServer } from './s3rver.js';

const SCRIPTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ceph-rgw');
const NEEDED = ['radosgw', 'ceph-mon', 'ceph-osd'];

/** Why RGW cannot be used here, or undefined when it can (installed, or given by the environment). */
export function rgwSkipReason(): string | undefined {
  if (process.env.COFFER_TEST_RGW_ENDPOINT) return undefined;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin'];
  const installed = (cmd: string): boolean =>
    dirs.some((d) => {
      try {
        accessSync(path.join(d, cmd), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  return NEEDED.every(installed)
    ? undefined
    : 'Ceph RGW not installed (apt-get install radosgw ceph-mon ceph-osd)';
}

/**
 * COFFER_TEST_RGW_ENDPOINT (with COFFER_TEST_RGW_ACCESS_KEY / _SECRET_KEY, default start.sh's test
 * user) is used as is and left running. Otherwise a fresh RGW is started in a temporary folder on a
 * free port (about 13 s); stop() ends exactly its processes. A watchdog ends them too if this process
 * dies without calling stop(), since the daemons run in their own sessions and would outlive it.
 */
export async function startRgw(): Promise<S3TestServer> {
  const given = process.env.COFFER_TEST_RGW_ENDPOINT;
  if (given) {
    return {
      endpoint: given,
      accessKeyId: process.env.COFFER_TEST_RGW_ACCESS_KEY ?? 'TESTACCESSKEY',
      secretAccessKey: process.env.COFFER_TEST_RGW_SECRET_KEY ?? 'TESTSECRETKEY',
      stop: async () => {},
    };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-rgw-'));
  const port = await freePort();
  const stop = (): Promise<void> => run(path.join(SCRIPTS, 'stop.sh'), [dir]).then(() => undefined);
  const watchdog = spawn(
    'bash',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 2; done; exec "$3" "$2"',
      'watchdog',
      String(process.pid),
      dir,
      path.join(SCRIPTS, 'stop.sh'),
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  const { code, output } = await run(path.join(SCRIPTS, 'start.sh'), [dir, String(port)]);
  const line = /^endpoint=(\S+) access=(\S+) secret=(\S+)$/m.exec(output);
  if (code !== 0 || !line) {
    await stop();
    throw new Error(`Ceph RGW did not start (exit ${code}):\n${output.slice(-3000)}`);
  }
  return {
    endpoint: line[1]!,
    accessKeyId: line[2]!,
    secretAccessKey: line[3]!,
    stop: async () => {
      await stop();
      if (watchdog.exitCode === null && watchdog.pid) process.kill(watchdog.pid);
    },
  };
}

function run(script: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** A port on 127.0.0.1 that was free a moment ago (start.sh refuses it if taken meanwhile). */
async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}
