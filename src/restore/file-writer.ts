// Writing one restored file safely: into a fresh temporary name beside it (never through an existing link),
// checked against its SHA-256, then renamed into place.
//
// The check hashes the bytes as they are handed to the kernel, not by reading the file back (restic reads
// back only with --verify). Each blob was authenticated (AEAD), bound to its id, before it was written, so
// what the hash adds is a check of this program and of the content ids (which the workers do not
// recompute, see BlobReader.parallel): the right blobs, in the right order, each written whole (the bytes
// counted are the ones write() reports the kernel took), so a file put in place is the file the snapshot
// recorded. Reading back would add a check of the disk's page cache at twice the cost (every byte read
// and hashed again, and a second open per file).
//
// A large restore has its data written by the blob workers (ParallelBlobReader.writeBlobs): they open,
// hash and write each blob on their own thread. A small one reads and writes here (writeHere).

import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fchownSync, futimesSync, open, renameSync, write } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BlobReader, isoToNs, type ParallelBlobReader, type TreeNode } from '../repository/index.js';
import { RestoreSizeError, RestoreVerificationError } from './errors.js';
import { lap, type RestoreTimings } from './timings.js';

// Creating a file (and, for a small restore, writing its data) goes through libuv's thread pool, so other
// work goes on meanwhile (creating one took 0.4 ms here, and several are created at once). The calls after
// the data (mode, owner, time, close, rename) are made directly: each takes microseconds on a local disk,
// and a trip through the pool cost more than the call itself, four times a file. On a slow network share
// they hold up this thread for their duration, which the restore's other files then wait for.
const fdOpen = promisify(open);
const fdWrite = promisify(write);

/** Blobs fetched ahead while earlier ones are written. */
const READ_AHEAD = 4;

export function tempNameFor(full: Buffer): Buffer {
  const dir = path.dirname(full.toString('latin1'));
  return Buffer.concat([
    Buffer.from(dir, 'latin1'),
    Buffer.from(`/.coffer-restore-${randomBytes(6).toString('hex')}`),
  ]);
}

export interface WriteFileOptions {
  readonly signal?: AbortSignal;
  readonly chown: boolean;
  readonly onBytes?: (n: number) => void;
  readonly timings?: RestoreTimings;
  /** Blobs opened, hashed and written on worker threads (see ParallelBlobReader); else read and written here. */
  readonly parallel?: ParallelBlobReader;
}

/** Writes a file's content and metadata; returns its verified SHA-256. `full` is the final path. */
export async function writeRestoredFile(
  reader: BlobReader,
  node: TreeNode,
  full: Buffer,
  opts: WriteFileOptions,
): Promise<string> {
  const temp = tempNameFor(full);
  const fd = await createTemp(temp);
  let closed = false;
  let done = false;
  try {
    const ids = node.content ?? [];
    const { sha256: actual, written } = opts.parallel?.writeBlobs
      ? await opts.parallel.writeBlobs(ids, fd, {
          ...(opts.signal ? { signal: opts.signal } : {}),
          onBlob: (cost) => {
            if (opts.timings) {
              opts.timings.downloadMs += cost.openMs;
              opts.timings.verifyMs += cost.hashMs;
              opts.timings.writeMs += cost.writeMs;
            }
            opts.onBytes?.(cost.length);
          },
        })
      : await writeHere(reader, ids, fd, opts);
    let mark = performance.now();
    fchmodSync(fd, node.mode);
    if (opts.chown && node.uid !== undefined && node.gid !== undefined) chownQuietly(fd, node.uid, node.gid);
    const mtime = mtimeSeconds(node);
    futimesSync(fd, mtime, mtime);
    closed = true;
    closeSync(fd);
    mark = lap(opts.timings, 'writeMs', mark);
    if (actual !== node.sha256)
      throw new RestoreVerificationError(full.toString(), node.sha256 ?? '', actual);
    if (node.size !== undefined && written !== node.size)
      throw new RestoreSizeError(full.toString(), written, node.size);
    renameSync(temp, full);
    lap(opts.timings, 'writeMs', mark);
    done = true;
    return actual;
  } finally {
    if (!closed) closeQuietly(fd);
    if (!done) await unlink(temp).catch(() => undefined);
  }
}

/** Reads the blobs with `reader`, hashes them and writes them to `fd` on this thread. */
async function writeHere(
  reader: BlobReader,
  ids: readonly string[],
  fd: number,
  opts: WriteFileOptions,
): Promise<{ sha256: string; written: number }> {
  let mark = performance.now();
  const pending: Promise<Uint8Array>[] = [];
  const signal = opts.signal ? { signal: opts.signal } : {};
  const hash = createHash('sha256');
  let written = 0;
  for (let i = 0; i < Math.min(READ_AHEAD, ids.length); i++) pending.push(readAhead(reader, ids[i]!, signal));
  for (let i = 0; i < ids.length; i++) {
    const data = await pending.shift()!;
    mark = lap(opts.timings, 'downloadMs', mark);
    const next = i + READ_AHEAD;
    if (next < ids.length) pending.push(readAhead(reader, ids[next]!, signal));
    hash.update(data);
    mark = lap(opts.timings, 'verifyMs', mark);
    written += await writeAll(fd, data);
    reader.release?.(data);
    mark = lap(opts.timings, 'writeMs', mark);
    opts.onBytes?.(data.length);
  }
  return { sha256: hash.digest('hex'), written };
}

/** Files being created, by folder: the promise the next creation in that folder waits for. */
const creating = new Map<string, Promise<unknown>>();

/**
 * Creates the temporary file, one creation at a time per folder. ext4 holds the folder's lock while it
 * allocates the new inode, and the other threads creating files in the same folder spin on that lock,
 * burning the processor time the restore's reading and hashing need: a profile of a full restore found
 * 9.5% of all CPU samples spinning there (restic: 0.1%). Files in other folders are created meanwhile,
 * and files already open go on being written.
 */
async function createTemp(temp: Buffer): Promise<number> {
  const dir = path.dirname(temp.toString('latin1'));
  // O_EXCL|O_NOFOLLOW: a link planted at the temporary name is not followed.
  const created = (creating.get(dir) ?? Promise.resolve()).then(() =>
    fdOpen(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600),
  );
  const settled = created.catch(() => undefined);
  creating.set(dir, settled);
  try {
    return await created;
  } finally {
    if (creating.get(dir) === settled) creating.delete(dir);
  }
}

/** Owners are restored where the system lets us (as root); elsewhere the restoring user owns the file. */
function chownQuietly(fd: number, uid: number, gid: number): void {
  try {
    fchownSync(fd, uid, gid);
  } catch {
    // not permitted: keep the restoring user's ownership
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already failed: the temporary file is removed next
  }
}

/**
 * A blob read started before it is needed. If an earlier blob fails, this one is never awaited: marking it
 * handled keeps its own failure (the same damaged pack, say) from being an unhandled rejection that ends
 * the process. Awaiting it still throws.
 */
function readAhead(reader: BlobReader, id: string, signal: { signal?: AbortSignal }): Promise<Uint8Array> {
  const read = reader.readBlob('data', id, signal);
  read.catch(() => undefined);
  return read;
}

/**
 * Writes all of `data` at the file's current position (a write may take less than it is given); returns
 * the bytes the kernel took, which the caller counts towards the size it checks.
 */
async function writeAll(fd: number, data: Uint8Array): Promise<number> {
  let at = 0;
  while (at < data.length) {
    const { bytesWritten } = await fdWrite(fd, data, at, data.length - at, null);
    if (bytesWritten === 0) break;
    at += bytesWritten;
  }
  return at;
}

/** Seconds since the epoch as a float: finer than Date's milliseconds for utimes. */
export function mtimeSeconds(node: TreeNode): number {
  return Number(isoToNs(node.mtime)) / 1e9;
}
