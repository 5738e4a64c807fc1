// Writing one file, or a folder as a tar archive, from a snapshot to a stream (for `coffer dump`).

import tar from 'tar-stream';
import { CofferError, UsageError } from '../errors.js';
import { isoToNs, readFileContent, type StoredSnapshot, type TreeNode } from '../repository/index.js';
import { listSnapshot } from './ls.js';
import type { BrowseSession } from './session.js';

/** Where dumped bytes go: a node stream, or a tar entry (a streamx stream, which has the same two methods). */
export interface ByteSink {
  write(chunk: Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

const drained = (out: ByteSink): Promise<void> => new Promise((resolve) => out.once('drain', resolve));

export class DumpVerificationError extends CofferError {
  readonly code = 'COFFER_E_VERIFY';
  readonly exitCode = 1;
}

export async function dumpPath(
  session: BrowseSession,
  snapshot: StoredSnapshot,
  path: string,
  out: ByteSink,
  opts: { archive?: 'tar'; signal?: AbortSignal } = {},
): Promise<{ files: number; bytes: number }> {
  const node = await session.nodeAt(snapshot, path);
  if (node === undefined) throw new UsageError(`${path} is not in snapshot ${snapshot.id.slice(0, 8)}`);
  if (node !== 'root' && node.type === 'file' && !opts.archive) {
    const bytes = await writeContent(session, node, path, out, opts.signal);
    return { files: 1, bytes };
  }
  if (!opts.archive)
    throw new UsageError(`${path} is a folder: add --archive tar to get it as a tar archive`);
  return dumpTar(session, snapshot, path, out, opts.signal);
}

async function writeContent(
  session: BrowseSession,
  node: TreeNode,
  path: string,
  out: ByteSink,
  signal?: AbortSignal,
): Promise<number> {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of readFileContent(session.reader, node, signal ? { signal } : {})) {
    hash.update(chunk);
    bytes += chunk.length;
    if (!out.write(chunk)) await drained(out);
  }
  if (hash.digest('hex') !== node.sha256) {
    throw new DumpVerificationError(
      `${path} did not match its recorded SHA-256: the output is damaged; try an older snapshot`,
    );
  }
  return bytes;
}

async function dumpTar(
  session: BrowseSession,
  snapshot: StoredSnapshot,
  path: string,
  out: ByteSink,
  signal?: AbortSignal,
): Promise<{ files: number; bytes: number }> {
  const pack = tar.pack();
  // Pumped by hand rather than piped, so standard output is never ended (or closed) by the archive.
  const pump = (async () => {
    for await (const chunk of pack as AsyncIterable<Uint8Array>) if (!out.write(chunk)) await drained(out);
  })();
  const base = path.split('/').filter(Boolean).slice(0, -1).join('/');
  let files = 0;
  let bytes = 0;
  for await (const { path: p, node } of listSnapshot(session, snapshot, path)) {
    const name = (base ? p.slice(base.length + 2) : p.slice(1)) || '.';
    const header = {
      name,
      mode: node.mode,
      mtime: new Date(Number(isoToNs(node.mtime) / 1_000_000n)),
      uid: node.uid ?? 0,
      gid: node.gid ?? 0,
    };
    if (node.type === 'dir') {
      pack.entry({ ...header, type: 'directory' });
    } else if (node.type === 'symlink') {
      pack.entry({ ...header, type: 'symlink', linkname: Buffer.from(node.target!).toString() });
    } else {
      const entry = pack.entry({ ...header, type: 'file', size: node.size ?? 0 });
      bytes += await writeContent(session, node, p, entry, signal);
      await new Promise<void>((resolve, reject) => {
        entry.once('error', reject);
        entry.once('finish', () => resolve());
        entry.end(new Uint8Array(0));
      });
      files++;
    }
  }
  pack.finalize();
  await pump;
  return { files, bytes };
}
