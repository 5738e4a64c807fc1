// One daemon per config: <state-dir>/daemon.pid, created with O_EXCL. A pid file whose process is gone
// (a crash, a power cut) is stale and replaced; a live one makes a second daemon exit with code 11.

import { readFile } from 'node:fs/promises';
import { mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DaemonAlreadyRunningError } from '../errors.js';
import { isProcessAlive } from './process-alive.js';

export interface PidLock {
  readonly path: string;
  /** Removes the pid file if it is still ours. */
  release(): Promise<void>;
}

export function pidFilePath(stateDir: string): string {
  return path.join(stateDir, 'daemon.pid');
}

/** Takes the lock for this process, or throws DaemonAlreadyRunningError naming the live holder. */
export async function acquirePidLock(stateDir: string, pid: number = process.pid): Promise<PidLock> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = pidFilePath(stateDir);
  // Two tries: the second after removing a stale file (another starter may win that race; then it holds it).
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(`${pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { path: file, release: () => releaseIfOurs(file, pid) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await runningDaemonPid(stateDir);
    if (holder !== undefined) {
      throw new DaemonAlreadyRunningError(
        `another coffer daemon (pid ${holder}) is already running for this config (its lock is ${file}); ` +
          `stop it first (systemctl stop coffer, or kill ${holder}), or give this one a different state-dir`,
      );
    }
    await unlink(file).catch(() => {});
  }
  throw new DaemonAlreadyRunningError(
    `another coffer daemon took ${file} while this one was starting; only one may run for this config`,
  );
}

/** The pid of the live daemon holding the lock in `stateDir`, if any (for `coffer status`, too). */
export async function runningDaemonPid(stateDir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(pidFilePath(stateDir), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return isProcessAlive(pid) && (await looksLikeDaemon(pid)) ? pid : undefined;
}

// After a reboot the old pid may belong to some other program; on Linux its command line tells.
async function looksLikeDaemon(pid: number): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.split('\0').includes('daemon');
  } catch {
    return true; // no /proc (or not allowed to read it): trust the pid
  }
}

async function releaseIfOurs(file: string, pid: number): Promise<void> {
  try {
    if (Number((await readFile(file, 'utf8')).trim()) === pid) await unlink(file);
  } catch {
    // already gone
  }
}
