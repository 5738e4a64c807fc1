// Reads a snapshot back into a plain map (path -> what was stored), to compare with what is on disk.

import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import {
  loadMasterIndex,
  loadSnapshots,
  readFileContent,
  type Repository,
  RepositoryBlobReader,
  walkTree,
} from '../../src/repository/index.js';

export interface StoredEntry {
  readonly type: 'file' | 'dir' | 'symlink';
  readonly mode: number;
  readonly mtime?: string;
  /** The SHA-256 recorded in the tree (or, on disk, computed). */
  readonly sha256?: string;
  /** The SHA-256 of the content actually read back. */
  readonly contentSha256?: string;
  readonly content?: Buffer;
  readonly target?: string;
}

/** path (latin1 of raw bytes, relative to `under`) -> entry, for the snapshot `id` (default: newest). */
export async function snapshotContents(
  repo: Repository,
  under: string,
  id?: string,
): Promise<Map<string, StoredEntry>> {
  const ctx = { storage: repo.storage, master: repo.master };
  const snaps = await loadSnapshots(ctx);
  const snap = id ? snaps.find((s) => s.id === id) : snaps.at(-1);
  if (!snap) throw new Error('no snapshot');
  const reader = new RepositoryBlobReader(repo.storage, repo.master, await loadMasterIndex(ctx));
  const out = new Map<string, StoredEntry>();
  const prefix = Buffer.from(`${under}/`, 'latin1');
  for await (const { path, node } of walkTree(reader, snap.snapshot.tree)) {
    const p = Buffer.from(path);
    if (!p.subarray(0, prefix.length).equals(prefix)) continue;
    const rel = p.subarray(prefix.length).toString('latin1');
    if (node.type === 'file') {
      const parts: Uint8Array[] = [];
      for await (const c of readFileContent(reader, node)) parts.push(c);
      const content = Buffer.concat(parts);
      out.set(rel, {
        type: 'file',
        mode: node.mode,
        mtime: node.mtime,
        sha256: node.sha256!,
        contentSha256: sha256(content),
        content,
      });
    } else if (node.type === 'symlink') {
      out.set(rel, {
        type: 'symlink',
        mode: node.mode,
        target: Buffer.from(node.target!).toString('latin1'),
      });
    } else {
      out.set(rel, { type: 'dir', mode: node.mode });
    }
  }
  return out;
}

/** The same map built from the disk, for comparison. */
export async function diskContents(root: string): Promise<Map<string, StoredEntry>> {
  const out = new Map<string, StoredEntry>();
  const walk = async (dir: Buffer, rel: string): Promise<void> => {
    for (const name of await readdir(dir, { encoding: 'buffer' })) {
      const full = Buffer.concat([dir, Buffer.from('/'), name]);
      const r = rel ? `${rel}/${name.toString('latin1')}` : name.toString('latin1');
      const st = await lstat(full);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink())
        out.set(r, {
          type: 'symlink',
          mode,
          target: (await readlink(full, { encoding: 'buffer' })).toString('latin1'),
        });
      else if (st.isDirectory()) {
        out.set(r, { type: 'dir', mode });
        await walk(full, r);
      } else if (st.isFile()) {
        const content = await readFile(full);
        out.set(r, { type: 'file', mode, sha256: sha256(content), contentSha256: sha256(content), content });
      }
    }
  };
  await walk(Buffer.from(root), '');
  return out;
}

/** For comparisons: drops times and the raw content (compared through its SHA-256, cheaply). */
export function withoutTimes(m: Map<string, StoredEntry>): Map<string, StoredEntry> {
  return new Map([...m].map(([k, v]) => [k, { ...v, mtime: undefined, content: undefined }]));
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
