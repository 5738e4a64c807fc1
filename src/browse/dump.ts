// Writing one file, or a folder as a tar or zip archive, from a snapshot to a stream (for `coffer dump`).

import { UsageError } from '../errors.js';
import type { StoredSnapshot } from '../repository/index.js';
import { type ByteSink, writeContent } from './dump-content.js';
import { dumpTar } from './dump-tar.js';
import { dumpZip } from './dump-zip.js';
import type { BrowseSession } from './session.js';

export { type ByteSink, DumpVerificationError } from './dump-content.js';

export type ArchiveFormat = 'tar' | 'zip';

export async function dumpPath(
  session: BrowseSession,
  snapshot: StoredSnapshot,
  path: string,
  out: ByteSink,
  opts: { archive?: ArchiveFormat; signal?: AbortSignal } = {},
): Promise<{ files: number; bytes: number }> {
  const node = await session.nodeAt(snapshot, path);
  if (node === undefined) throw new UsageError(`${path} is not in snapshot ${snapshot.id.slice(0, 8)}`);
  if (node !== 'root' && node.type === 'file' && !opts.archive) {
    const bytes = await writeContent(session, node, path, out, opts.signal);
    return { files: 1, bytes };
  }
  if (!opts.archive)
    throw new UsageError(`${path} is a folder: add --archive tar (or --archive zip) to get it as an archive`);
  const write = opts.archive === 'zip' ? dumpZip : dumpTar;
  return write(session, snapshot, path, out, opts.signal);
}
