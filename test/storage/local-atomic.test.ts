// LocalStorage's write path: temp file, fsync, rename/link, folder fsync; cleanup on failure; clear errors.

import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlreadyExistsError, LocalStorage, NotFoundError, StorageError } from '../../src/storage/index.js';

// node:fs/promises as LocalStorage sees it: the real thing, with every call that matters for
// durability logged, and chosen failures injected into the temp-file steps (ENOSPC, EIO).
const fsLog = vi.hoisted(() => ({ events: [] as string[], failTemp: new Map<string, string>() }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const injected = (step: string, file: string): void => {
    const code = fsLog.failTemp.get(step);
    if (code && path.basename(file).startsWith('.tmp-')) {
      throw Object.assign(new Error(`${code}: injected, ${step} '${file}'`), { code });
    }
  };
  return {
    ...real,
    open: async (file: string, flags: string, mode?: number) => {
      const fh = await real.open(file, flags, mode);
      fsLog.events.push(`open ${file} ${flags}`);
      return new Proxy(fh, {
        get(target, prop) {
          if (prop === 'writeFile') {
            return async (data: Uint8Array, opts: object) => {
              injected('write', file);
              fsLog.events.push(`write ${file}`);
              return target.writeFile(data, opts);
            };
          }
          if (prop === 'sync') {
            return async () => {
              injected('sync', file);
              fsLog.events.push(`sync ${file}`);
              return target.sync();
            };
          }
          const value: unknown = Reflect.get(target, prop);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
    rename: async (from: string, to: string) => {
      fsLog.events.push(`rename ${from} ${to}`);
      return real.rename(from, to);
    },
    link: async (from: string, to: string) => {
      fsLog.events.push(`link ${from} ${to}`);
      return real.link(from, to);
    },
    unlink: async (file: string) => {
      fsLog.events.push(`unlink ${file}`);
      return real.unlink(file);
    },
  };
});

let dir: string;
let root: string;
let storage: LocalStorage;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-atomic-'));
  root = path.join(dir, 'repo');
  storage = new LocalStorage(root);
  await storage.create();
  fsLog.events.length = 0;
  fsLog.failTemp.clear();
});
afterEach(async () => {
  await chmod(root, 0o700).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

/** Events with the root and the random temp name replaced, so they can be compared. */
const events = (): string[] =>
  fsLog.events.map((e) => e.replaceAll(root, 'R').replace(/\.tmp-[0-9a-f]+/g, '.tmp-X'));

async function filesUnder(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)))
    .sort();
}

describe('LocalStorage write path', () => {
  it('writes a temp file, fsyncs it, renames it into place, then fsyncs the folder', async () => {
    await storage.put('keys/k1', Uint8Array.of(1, 2, 3));
    expect(events()).toEqual([
      // (a first open of the temp file failed with ENOENT: keys/ did not exist, so it was made)
      'open R r',
      'sync R', // the new folder keys/ made durable in its parent
      'open R/keys/.tmp-X wx',
      'write R/keys/.tmp-X',
      'sync R/keys/.tmp-X',
      'rename R/keys/.tmp-X R/keys/k1',
      'open R/keys r',
      'sync R/keys',
    ]);
  });

  it('fsyncs every folder it creates on the way down', async () => {
    await storage.put('data/ab/abcdef', Uint8Array.of(1));
    const syncs = events().filter((e) => e.startsWith('sync '));
    expect(syncs).toEqual(['sync R/data', 'sync R', 'sync R/data/ab/.tmp-X', 'sync R/data/ab']);
  });

  it('for ifAbsent, links the temp file to the final name and then removes the temp name', async () => {
    await storage.put('config', Uint8Array.of(1), { ifAbsent: true });
    expect(events().slice(-4)).toEqual(['link R/.tmp-X R/config', 'open R r', 'sync R', 'unlink R/.tmp-X']);
    fsLog.events.length = 0;
    await expect(storage.put('config', Uint8Array.of(2), { ifAbsent: true })).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    expect(events().slice(-2)).toEqual(['link R/.tmp-X R/config', 'unlink R/.tmp-X']);
    expect(await filesUnder(root)).toEqual(['config']);
    expect(await storage.get('config')).toEqual(Uint8Array.of(1));
  });

  it.each([
    ['write', 'ENOSPC', /no space left on the device holding .*\/repo\/data\/ab\/obj/],
    ['sync', 'EIO', /input\/output error on .*\/repo\/data\/ab\/obj: the disk may be failing/],
  ])(
    'a failed %s (%s) leaves neither the object nor the temp file, and says why',
    async (step, code, message) => {
      await storage.put('data/ab/other', Uint8Array.of(9));
      fsLog.failTemp.set(step, code);
      const err = await storage.put('data/ab/obj', new Uint8Array(1000)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).message).toMatch(message);
      expect((err as StorageError).transient).toBe(false);
      expect(await filesUnder(root)).toEqual(['data/ab/other']);
    },
  );

  it('never shows an object under its final name before it is complete', async () => {
    const body = new Uint8Array(32 * 1024 * 1024).fill(7);
    const final = path.join(root, 'data', 'ff', 'big');
    await mkdir(path.dirname(final), { recursive: true });
    const sizes = new Set<number>();
    let done = false;
    const watcher = (async () => {
      while (!done) {
        const st = await stat(final).catch(() => undefined);
        if (st) sizes.add(st.size);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await storage.put('data/ff/big', body);
    done = true;
    await watcher;
    expect([...sizes].every((s) => s === body.length)).toBe(true);
  });
});

describe('LocalStorage and stray files', () => {
  it('lists neither leftover temp files from a crash nor names no key could have', async () => {
    await storage.put('data/ab/real', Uint8Array.of(1));
    await writeFile(path.join(root, 'data', 'ab', '.tmp-0123abcd'), 'half a pack');
    await writeFile(path.join(root, '.tmp-feed'), 'half a config');
    await writeFile(path.join(root, 'data', 'My Notes.txt'), 'not ours');
    const keys: string[] = [];
    for await (const e of storage.list('')) keys.push(e.key);
    expect(keys).toEqual(['data/ab/real']);
    await expect(storage.get('data/ab/.tmp-0123abcd')).rejects.toBeInstanceOf(TypeError);
    await expect(storage.put('.tmp-1', Uint8Array.of(1))).rejects.toBeInstanceOf(TypeError);
  });
});

describe('LocalStorage root folder', () => {
  it('does not create a missing root on put (an unmounted drive), and says so', async () => {
    const gone = new LocalStorage(path.join(dir, 'not-mounted', 'repo'));
    const err = await gone.put('config', Uint8Array.of(1)).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /repository folder .*not-mounted\/repo does not exist \(is the backup drive/,
    );
    await expect(stat(path.join(dir, 'not-mounted'))).rejects.toThrow(/ENOENT/);
    await expect(gone.get('config')).rejects.toBeInstanceOf(NotFoundError);
    expect(await gone.stat('config')).toBeUndefined();
    const keys = [];
    for await (const e of gone.list('')) keys.push(e);
    expect(keys).toEqual([]);
    await gone.create();
    await gone.put('config', Uint8Array.of(1));
    expect(await gone.get('config')).toEqual(Uint8Array.of(1));
  });

  it('keeps objects and folders private to the owner', async () => {
    await storage.put('data/ab/x', Uint8Array.of(1));
    expect((await stat(path.join(root, 'data', 'ab', 'x'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, 'data', 'ab'))).mode & 0o777).toBe(0o700);
  });
});

describe('LocalStorage permission errors', () => {
  // Root ignores file modes, so as root the check runs with the effective uid of "nobody"
  // (glibc applies seteuid to every thread, libuv's file-system threads included).
  async function unprivileged<T>(fn: () => Promise<T>): Promise<T> {
    if (process.getuid?.() !== 0 || !process.seteuid) return fn();
    process.seteuid(65534);
    try {
      return await fn();
    } finally {
      process.seteuid(0);
    }
  }

  it('say "permission denied" and name the path, for writes and reads', async () => {
    await storage.put('config', Uint8Array.of(1));
    await chmod(dir, 0o755);
    await chmod(root, 0o500);
    await chmod(path.join(root, 'config'), 0o000);
    const [putErr, getErr] = await unprivileged(() =>
      Promise.all([
        storage.put('keys/k1', Uint8Array.of(1)).catch((e: unknown) => e),
        storage.get('config').catch((e: unknown) => e),
      ]),
    );
    expect(putErr).toBeInstanceOf(StorageError);
    expect((putErr as Error).message).toMatch(
      /^permission denied on .*\/repo\/keys\/k1: the user running coffer may not write there/,
    );
    expect((putErr as StorageError).transient).toBe(false);
    expect((getErr as Error).message).toMatch(
      /^permission denied on .*\/repo\/config: the user running coffer may not read there/,
    );
  });
});
