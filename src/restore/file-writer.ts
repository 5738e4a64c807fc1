// Writing one restored file safely: into a fresh temporary name beside it (never through an existing link),
// checked against its SHA-256 by reading it back from disk, then renamed into place.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type BlobReader, isoToNs, type TreeNode } from '../repository/index.js';
import { sha256File } from './plan.js';
import { RestoreVerificationError } from './errors.js';

/** Blobs fetched ahead while earlier ones are written. */
const READ_AHEAD = 4;

export function tempNameFor(full: Buffer): Buffer {
  const dir = path.dirname(full.toString('latin1'));
  return Buffer.concat([
    Buffer.from(dir, 'latin1'),
    Buffer.from(`/.coffer-restore-${randomBytes(6).toString('hex')}`),
  ]);
}

/** Writes a file's content and metadata; returns its verified SHA-256. `full` is the final path. */
export async function writeRestoredFile(
  reader: BlobReader,
  node: TreeNode,
  full: Buffer,
  opts: { signal?: AbortSignal; chown: boolean; onBytes?: (n: number) => void },
): Promise<string> {
  const temp = tempNameFor(full);
  // O_EXCL|O_NOFOLLOW: a link planted at the temporary name is not followed.
  const fh = await open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  let done = false;
  try {
    const ids = node.content ?? [];
    const pending: Promise<Uint8Array>[] = [];
    const signal = opts.signal ? { signal: opts.signal } : {};
    for (let i = 0; i < Math.min(READ_AHEAD, ids.length); i++)
      pending.push(reader.readBlob('data', ids[i]!, signal));
    for (let i = 0; i < ids.length; i++) {
      const data = await pending.shift()!;
      const next = i + READ_AHEAD;
      if (next < ids.length) pending.push(reader.readBlob('data', ids[next]!, signal));
      await fh.write(data);
      opts.onBytes?.(data.length);
    }
    await fh.chmod(node.mode);
    if (opts.chown && node.uid !== undefined && node.gid !== undefined)
      await fh.chown(node.uid, node.gid).catch(() => undefined);
    const mtime = mtimeSeconds(node);
    await fh.utimes(mtime, mtime);
    await fh.close();
    const actual = await sha256File(temp);
    if (actual !== node.sha256)
      throw new RestoreVerificationError(full.toString(), node.sha256 ?? '', actual);
    await rename(temp, full);
    done = true;
    return actual;
  } finally {
    if (!done) {
      await fh.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    }
  }
}

/** Seconds since the epoch as a float: finer than Date's milliseconds for utimes. */
export function mtimeSeconds(node: TreeNode): number {
  return Number(isoToNs(node.mtime)) / 1e9;
}
