// A short lock around read-modify-write of state.json (the daemon and `coffer drill run` both write it).
// Held for milliseconds; one left by a process that died, or held implausibly long, is broken.

import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isProcessAlive } from './process-alive.js';

const POLL_MS = 20;
/** A state update takes milliseconds; a lock older than this is left over, whoever holds it. */
const STALE_AFTER_MS = 10_000;

export async function withStateLock<T>(stateDir: string, work: () => Promise<T>): Promise<T> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = path.join(stateDir, 'state.lock');
  await acquire(file);
  try {
    return await work();
  } finally {
    await unlink(file).catch(() => {});
  }
}

async function acquire(file: string): Promise<void> {
  for (;;) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isStale(file)) await unlink(file).catch(() => {});
    else await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function isStale(file: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const pid = Number(text.trim());
    // An empty file is one being written this instant; only age makes it stale.
    if (text.trim() !== '' && !isProcessAlive(pid)) return true;
    return Date.now() - info.mtimeMs > STALE_AFTER_MS;
  } catch {
    return false; // gone already: the next open will tell
  }
}
