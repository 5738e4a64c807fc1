// One daemon per config: the pid lock refuses a second live daemon (exit code 11, naming its pid) and
// replaces a pid file left by one that is gone.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquirePidLock, pidFilePath, runningDaemonPid } from '../../src/daemon/index.js';
import { DaemonAlreadyRunningError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

let dir: { path: string; cleanup: () => Promise<void> };
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await tempDir('coffer-pid-');
});
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await dir.cleanup();
});

/** A live process whose command line says "daemon", like a real coffer daemon's. */
async function liveDaemonLookalike(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'daemon'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => child.once('spawn', r));
  return child.pid!;
}

describe('pid lock', () => {
  it('is taken with this process id and released', async () => {
    const lock = await acquirePidLock(dir.path, 4242);
    expect(await readFile(pidFilePath(dir.path), 'utf8')).toBe('4242\n');
    await lock.release();
    await expect(readFile(pidFilePath(dir.path))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a second daemon while the first is alive, naming its pid, with exit code 11', async () => {
    const pid = await liveDaemonLookalike();
    await writeFile(pidFilePath(dir.path), `${pid}\n`);
    const err = await acquirePidLock(dir.path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemonAlreadyRunningError);
    expect((err as DaemonAlreadyRunningError).exitCode).toBe(11);
    expect((err as Error).message).toContain(`pid ${pid}`);
    expect(await runningDaemonPid(dir.path)).toBe(pid);
    expect(await readFile(pidFilePath(dir.path), 'utf8')).toBe(`${pid}\n`); // untouched
  });

  it('replaces a stale pid file whose process is gone', async () => {
    const child = spawn(process.execPath, ['-e', '0', 'daemon'], { stdio: 'ignore' });
    const gone = await new Promise<number>((r) => child.once('exit', () => r(child.pid!)));
    await writeFile(pidFilePath(dir.path), `${gone}\n`);
    expect(await runningDaemonPid(dir.path)).toBeUndefined();
    const lock = await acquirePidLock(dir.path, 5151);
    expect(await readFile(pidFilePath(dir.path), 'utf8')).toBe('5151\n');
    await lock.release();
  });

  it('replaces a pid file whose pid now belongs to some other program (after a reboot)', async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(other);
    await new Promise((r) => other.once('spawn', r));
    await writeFile(pidFilePath(dir.path), `${other.pid}\n`);
    const lock = await acquirePidLock(dir.path, 6161);
    expect(await readFile(pidFilePath(dir.path), 'utf8')).toBe('6161\n');
    await lock.release();
  });

  it('replaces a pid file with garbage in it', async () => {
    await writeFile(pidFilePath(dir.path), 'not a pid');
    const lock = await acquirePidLock(dir.path, 7171);
    await lock.release();
  });

  it('does not remove a pid file another daemon has taken since', async () => {
    const lock = await acquirePidLock(dir.path, 8181);
    await writeFile(pidFilePath(dir.path), '9191\n');
    await lock.release();
    expect(await readFile(pidFilePath(dir.path), 'utf8')).toBe('9191\n');
  });
});
