// Local folder storage: one file per object under a root folder, each written whole or not at all.

import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import {
  link,
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  stat,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import {
  AlreadyExistsError,
  NotFoundError,
  StorageError,
  assertValidKey,
  assertValidPrefix,
  assertValidRange,
  rangeNotSatisfiable,
  type GetOptions,
  type ListEntry,
  type PutOptions,
  type SignalOption,
  type Storage,
} from './storage.js';
import { ReadHandles } from './read-handles.js';

/** Files being written carry this name until they are complete; `list` never shows them. */
export const TEMP_PREFIX = '.tmp-';
// Owner-only, as restic does: the objects are ciphertext, but their names and sizes are still metadata.
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const SEGMENT = /^[A-Za-z0-9_.-]+$/;
/** Errors that mean "no object here": the key, or a folder on its way, is missing or is the wrong kind. */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
/** link() failures meaning "this file system has no hard links" (FAT, exFAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);
const TRANSIENT_CODES = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR', 'ETIMEDOUT', 'ECONNRESET']);

/**
 * Keys map to paths under `root` (`data/ab/abcd` → `root/data/ab/abcd`). A put writes `.tmp-<random>`
 * in the target folder, fsyncs it, renames it to its final name (or, for `ifAbsent`, hard-links it
 * there so an existing object makes the link fail) and fsyncs the folder: after a crash an object is
 * either absent or complete. Folders below `root` are created on demand; `root` itself only by
 * `create()`, so an unmounted backup drive is reported instead of silently filled on the system disk.
 */
export class LocalStorage implements Storage {
  readonly location: string;
  readonly #root: string;
  readonly #handles = new ReadHandles();

  constructor(root: string) {
    this.#root = path.resolve(root);
    this.location = this.#root;
  }

  localFile(key: string): string {
    return this.#path(key);
  }

  async get(key: string, opts: GetOptions = {}): Promise<Uint8Array> {
    const { signal, range } = opts;
    signal?.throwIfAborted();
    const file = this.#path(key);
    if (range) assertValidRange(range);
    try {
      if (!range) {
        const buf = await readFile(file, { signal });
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      }
      return await readRange(this.#handles, file, key, range, signal, opts.into);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (MISSING.has(errnoCode(err) ?? '')) throw new NotFoundError(key, { cause: err });
      throw fsError('get', key, file, err);
    }
  }

  async put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<void> {
    const { signal } = opts;
    signal?.throwIfAborted();
    const file = this.#path(key);
    await this.#handles.forget(file); // an overwrite replaces the file a kept descriptor points at
    const dir = path.dirname(file);
    const temp = path.join(dir, TEMP_PREFIX + randomBytes(8).toString('hex'));
    let placed = false;
    try {
      const fh = await this.#createTemp(temp, key);
      try {
        await fh.writeFile(body, { signal });
        await fh.sync();
      } finally {
        await fh.close();
      }
      signal?.throwIfAborted();
      if (opts.ifAbsent) await linkNew(temp, file, key);
      else await rename(temp, file);
      placed = true;
      await syncDir(dir);
    } catch (err) {
      await unlink(temp).catch(() => {});
      // once the object is in place the put has happened; an abort after that point changes nothing
      if (signal?.aborted && !placed) throw signal.reason;
      throw fsError('put', key, placed ? dir : file, err);
    }
    // after link() the object has two names; drop the temporary one
    if (opts.ifAbsent) await unlink(temp).catch(() => {});
  }

  async *list(prefix: string, opts: SignalOption = {}): AsyncIterable<ListEntry> {
    opts.signal?.throwIfAborted();
    assertValidPrefix(prefix);
    // start in the deepest folder the prefix names in full; its last, partial segment is a filter
    yield* this.#walk(prefix.slice(0, prefix.lastIndexOf('/') + 1), prefix, opts.signal);
  }

  async stat(key: string, opts: SignalOption = {}): Promise<{ size: number } | undefined> {
    opts.signal?.throwIfAborted();
    const file = this.#path(key);
    try {
      const st = await stat(file);
      return st.isFile() ? { size: st.size } : undefined;
    } catch (err) {
      if (MISSING.has(errnoCode(err) ?? '')) return undefined;
      throw fsError('stat', key, file, err);
    }
  }

  async delete(key: string, opts: SignalOption = {}): Promise<void> {
    opts.signal?.throwIfAborted();
    const file = this.#path(key);
    await this.#handles.forget(file);
    try {
      await unlink(file);
    } catch (err) {
      if (MISSING.has(errnoCode(err) ?? '')) return;
      throw fsError('delete', key, file, err);
    }
  }

  async create(opts: SignalOption = {}): Promise<void> {
    opts.signal?.throwIfAborted();
    try {
      await mkdir(this.#root, { recursive: true, mode: DIR_MODE });
    } catch (err) {
      throw fsError('create', '', this.#root, err);
    }
  }

  #path(key: string): string {
    assertValidKey(key);
    const segments = key.split('/');
    // such a key would be hidden from list() like an unfinished write, so it cannot be an object
    if (segments.some((s) => s.startsWith(TEMP_PREFIX))) {
      throw new TypeError(
        `invalid storage key: ${JSON.stringify(key)} (segments may not start with ${TEMP_PREFIX})`,
      );
    }
    return path.join(this.#root, ...segments);
  }

  /** Opens a new temp file, creating missing folders below (never including) the root. */
  async #createTemp(temp: string, key: string): Promise<FileHandle> {
    try {
      return await open(temp, 'wx', FILE_MODE);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    const rootExists = await stat(this.#root).then(
      (st) => st.isDirectory(),
      () => false,
    );
    if (!rootExists) {
      throw new StorageError(
        'put',
        key,
        `repository folder ${this.#root} does not exist (is the backup drive connected and mounted?)`,
      );
    }
    const dir = path.dirname(temp);
    const first = await mkdir(dir, { recursive: true, mode: DIR_MODE });
    // a new folder is durable only once the folder holding it is synced, all the way up to the root
    if (first !== undefined) {
      for (let d = dir; ; d = path.dirname(d)) {
        if (d !== dir) await syncDir(d);
        if (d === first) {
          await syncDir(path.dirname(d));
          break;
        }
      }
    }
    return await open(temp, 'wx', FILE_MODE);
  }

  async *#walk(dirKey: string, prefix: string, signal: AbortSignal | undefined): AsyncIterable<ListEntry> {
    const dirPath = path.join(this.#root, ...dirKey.split('/').filter(Boolean));
    let entries: Dirent[];
    try {
      entries = await readdir(dirPath, { withFileTypes: true });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (MISSING.has(errnoCode(err) ?? '')) return;
      throw fsError('list', prefix, dirPath, err);
    }
    const files: string[] = [];
    for (const entry of entries) {
      signal?.throwIfAborted();
      // unfinished writes, and files no coffer key could name (Thumbs.db is fine, "My Files" is not)
      if (entry.name.startsWith(TEMP_PREFIX) || !SEGMENT.test(entry.name)) continue;
      const key = dirKey + entry.name;
      if (!key.startsWith(prefix)) continue;
      if (entry.isDirectory()) yield* this.#walk(key + '/', prefix, signal);
      else files.push(key);
    }
    // sizes a few at a time: a data folder holds thousands of packs
    for (let i = 0; i < files.length; i += 32) {
      signal?.throwIfAborted();
      const batch = files.slice(i, i + 32);
      const sizes = await Promise.all(batch.map((key) => this.stat(key)));
      for (const [j, key] of batch.entries()) {
        const size = sizes[j];
        // deleted since readdir(), or a folder reached through a symbolic link: not an object
        if (size) yield { key, size: size.size };
      }
    }
  }
}

async function readRange(
  handles: ReadHandles,
  file: string,
  key: string,
  range: { offset: number; length: number },
  signal: AbortSignal | undefined,
  into: Uint8Array | undefined,
): Promise<Uint8Array> {
  return handles.with(file, async (fd, size) => {
    if (range.offset + range.length > size) throw rangeNotSatisfiable(key, range, size);
    // Not zero-filled: every byte is read over before the bytes are handed out (a short read throws).
    // Outside Buffer's shared pool, so the caller may move it to a worker thread.
    const out =
      into && into.byteLength >= range.length
        ? into.subarray(0, range.length)
        : new Uint8Array(Buffer.allocUnsafeSlow(range.length).buffer, 0, range.length);
    for (let done = 0; done < range.length;) {
      signal?.throwIfAborted();
      const bytesRead = await handles.readInto(fd, out, done, range.length - done, range.offset + done);
      if (bytesRead === 0) throw rangeNotSatisfiable(key, range, size);
      done += bytesRead;
    }
    return out;
  });
}

/**
 * Gives `temp` the name `file` only if nothing has it: link() fails with EEXIST atomically. File
 * systems without hard links get a check-then-rename instead, which two writers racing for the same
 * key can both pass (the later rename wins); coffer's only racing ifAbsent writes are lock files.
 */
async function linkNew(temp: string, file: string, key: string): Promise<void> {
  try {
    await link(temp, file);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST') throw new AlreadyExistsError(key, { cause: err });
    if (!NO_HARD_LINKS.has(code ?? '')) throw err;
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (exists) throw new AlreadyExistsError(key);
    await rename(temp, file);
  }
}

/** fsync on a folder makes the names in it durable; some file systems cannot, and say EINVAL or similar. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    if (!['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EBADF', 'EISDIR'].includes(errnoCode(err) ?? '')) throw err;
  } finally {
    await fh.close();
  }
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}

/** A StorageError whose message names `where` (the file or folder the failing system call touched). */
function fsError(operation: string, key: string, where: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const code = errnoCode(err);
  const reading = operation === 'get' || operation === 'list' || operation === 'stat';
  const denied = `permission denied on ${where}: the user running coffer may not ${reading ? 'read' : 'write'} there`;
  const reasons: Record<string, string> = {
    EACCES: denied,
    EPERM: denied,
    ENOSPC: `no space left on the device holding ${where}`,
    EDQUOT: `disk quota exceeded on ${where}`,
    EROFS: `${where} is on a read-only file system`,
    EIO: `input/output error on ${where}: the disk may be failing or was disconnected`,
  };
  const reason =
    reasons[code ?? ''] ??
    `${operation} failed on ${where}: ${err instanceof Error ? err.message : String(err)}`;
  return new StorageError(operation, key, reason, {
    transient: TRANSIENT_CODES.has(code ?? ''),
    cause: err,
  });
}
