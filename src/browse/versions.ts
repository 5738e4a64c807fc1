// Every distinct version of one file across snapshots, and when it disappeared if it was deleted.

import type { StoredSnapshot } from '../repository/index.js';
import { type BrowseSession, snapshotCovers } from './session.js';

export interface FileVersion {
  readonly sha256: string;
  readonly size: number;
  readonly mtime: string;
  readonly first: { readonly id: string; readonly time: string };
  readonly last: { readonly id: string; readonly time: string };
  readonly snapshotCount: number;
}

export interface VersionHistory {
  readonly path: string;
  readonly versions: readonly FileVersion[];
  /** Set when the newest snapshot that covers the path no longer has it. */
  readonly deleted?: {
    readonly lastSeen: { id: string; time: string };
    readonly missingSince: { id: string; time: string };
  };
}

export async function fileVersions(
  session: BrowseSession,
  path: string,
  snapshots?: readonly StoredSnapshot[],
): Promise<VersionHistory> {
  const normalized = `/${path.split('/').filter(Boolean).join('/')}`;
  const covering = (snapshots ?? session.snapshots).filter((s) => snapshotCovers(s, normalized));
  const versions = new Map<
    string,
    { sha256: string; size: number; mtime: string; first: Ref; last: Ref; snapshotCount: number }
  >();
  let lastSeen: Ref | undefined;
  let missingSince: Ref | undefined;
  for (const snap of covering) {
    const ref = { id: snap.id, time: snap.snapshot.time };
    const node = await session.nodeAt(snap, normalized);
    if (node === undefined || node === 'root' || node.type !== 'file') {
      if (lastSeen && !missingSince) missingSince = ref;
      continue;
    }
    lastSeen = ref;
    missingSince = undefined;
    const v = versions.get(node.sha256!);
    if (v) {
      v.last = ref;
      v.snapshotCount++;
    } else {
      versions.set(node.sha256!, {
        sha256: node.sha256!,
        size: node.size ?? 0,
        mtime: node.mtime,
        first: ref,
        last: ref,
        snapshotCount: 1,
      });
    }
  }
  return {
    path: normalized,
    versions: [...versions.values()],
    ...(lastSeen && missingSince ? { deleted: { lastSeen, missingSince } } : {}),
  };
}

interface Ref {
  id: string;
  time: string;
}
