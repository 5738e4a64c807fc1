// A folder of a snapshot as a zip archive (yazl: streaming, ZIP64 past 4 GiB), for people on Windows who
// open zips by double-clicking. Each file is checked against its SHA-256 as it goes.

import { PassThrough } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import yazl from 'yazl';
import { isoToNs, type StoredSnapshot, type TreeNode } from '../repository/index.js';
import { archiveName, type ByteSink, pumpInto, writeContent } from './dump-content.js';
import { listSnapshot } from './ls.js';
import type { BrowseSession } from './session.js';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** Files at most this big are tried for compression whole; bigger ones by their first chunk. */
const SAMPLE_BYTES = 64 * 1024;

export async function dumpZip(
  session: BrowseSession,
  snapshot: StoredSnapshot,
  path: string,
  out: ByteSink,
  signal?: AbortSignal,
): Promise<{ files: number; bytes: number }> {
  const zip = new yazl.ZipFile();
  let failure: unknown;
  zip.on('error', (err: unknown) => (failure ??= err));
  const pump = pumpInto(zip.outputStream as AsyncIterable<Uint8Array>, out);
  let files = 0;
  let bytes = 0;
  for await (const { path: p, node } of listSnapshot(session, snapshot, path)) {
    if (failure) throw failure;
    const name = archiveName(path, p);
    const mtime = new Date(Number(isoToNs(node.mtime) / 1_000_000n));
    if (node.type === 'dir') {
      // The archive's own top folder is the one it unpacks into; zip has no entry called ".".
      if (name !== '.') zip.addEmptyDirectory(name, { mtime, mode: S_IFDIR | node.mode });
    } else if (node.type === 'symlink') {
      zip.addBuffer(Buffer.from(node.target!), name, { mtime, mode: S_IFLNK | node.mode, compress: false });
    } else {
      const entry = new PassThrough();
      zip.addReadStream(entry, name, {
        mtime,
        mode: S_IFREG | node.mode,
        size: node.size ?? 0,
        compress: await worthCompressing(session, node),
      });
      const finished = new Promise<void>((resolve) => entry.once('end', () => resolve()));
      try {
        bytes += await writeContent(session, node, p, entry, signal);
      } finally {
        entry.end();
      }
      await finished;
      files++;
    }
  }
  zip.end();
  await pump;
  if (failure) throw failure;
  return { files, bytes };
}

/** Deflate only what shrinks: scans, photos and office files are compressed already. */
async function worthCompressing(session: BrowseSession, node: TreeNode): Promise<boolean> {
  const first = node.content?.[0];
  if (first === undefined) return false;
  const sample = (await session.reader.readBlob('data', first)).subarray(0, SAMPLE_BYTES);
  return deflateRawSync(sample, { level: 1 }).length < sample.length * 0.9;
}
