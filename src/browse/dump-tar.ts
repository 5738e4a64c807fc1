// A folder of a snapshot as a tar archive (tar-stream), each file checked against its SHA-256 as it goes.

import tar from 'tar-stream';
import { isoToNs, type StoredSnapshot } from '../repository/index.js';
import { archiveName, type ByteSink, pumpInto, writeContent } from './dump-content.js';
import { listSnapshot } from './ls.js';
import type { BrowseSession } from './session.js';

export async function dumpTar(
  session: BrowseSession,
  snapshot: StoredSnapshot,
  path: string,
  out: ByteSink,
  signal?: AbortSignal,
): Promise<{ files: number; bytes: number }> {
  const pack = tar.pack();
  // Pumped by hand rather than piped, so standard output is never ended (or closed) by the archive.
  const pump = pumpInto(pack as AsyncIterable<Uint8Array>, out);
  let files = 0;
  let bytes = 0;
  for await (const { path: p, node } of listSnapshot(session, snapshot, path)) {
    const header = {
      name: archiveName(path, p),
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
