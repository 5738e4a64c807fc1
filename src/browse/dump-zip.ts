// A folder of a snapshot as a zip archive (yazl: streaming, ZIP64 past 4 GiB), for people on Windows who
// open zips by double-clicking. Each file is checked against its SHA-256 as it goes.

import { PassThrough } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import yazl from 'yazl';
import { isoToNs, type StoredSnapshot } from '../repository/index.js';
import { archiveName, type ByteSink, contentOf, pumpInto, writeContent } from './dump-content.js';
import { listSnapshot } from './ls.js';
import type { BrowseSession } from './session.js';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** How much of a file's first chunk is tried with deflate to decide whether the file is compressed. */
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
      // The first chunk decides whether to compress, and is then written with the rest (not read twice).
      const { first, chunks } = await peek(contentOf(session, node, signal));
      const entry = new PassThrough();
      zip.addReadStream(entry, name, {
        mtime,
        mode: S_IFREG | node.mode,
        size: node.size ?? 0,
        compress: first !== undefined && worthCompressing(first),
      });
      const finished = new Promise<void>((resolve) => entry.once('end', () => resolve()));
      try {
        bytes += await writeContent(session, node, p, entry, signal, chunks);
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
function worthCompressing(firstChunk: Uint8Array): boolean {
  const sample = firstChunk.subarray(0, SAMPLE_BYTES);
  return deflateRawSync(sample, { level: 1 }).length < sample.length * 0.9;
}

/** The first item of a sequence, and the whole sequence again (that item included) to go on with. */
async function peek<T>(items: AsyncIterator<T>): Promise<{ first: T | undefined; chunks: AsyncIterable<T> }> {
  const head = await items.next();
  async function* again(): AsyncGenerator<T> {
    if (head.done) return;
    yield head.value;
    for (let next = await items.next(); !next.done; next = await items.next()) yield next.value;
  }
  return { first: head.done ? undefined : head.value, chunks: again() };
}
