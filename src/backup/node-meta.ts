// Turning lstat results into tree-node metadata, and deciding whether a file is unchanged since the parent.

import type { BigIntStats } from 'node:fs';
import { nsToIso, type TreeNode } from '../repository/index.js';

export function baseMeta(st: BigIntStats): Pick<TreeNode, 'mode' | 'mtime' | 'uid' | 'gid'> {
  return {
    mode: Number(st.mode & 0o7777n),
    mtime: nsToIso(st.mtimeNs),
    ...(process.platform === 'win32' ? {} : { uid: Number(st.uid), gid: Number(st.gid) }),
  };
}

export function changeMeta(st: BigIntStats): Pick<TreeNode, 'inode' | 'ctime'> {
  return { inode: st.ino.toString(), ctime: nsToIso(st.ctimeNs) };
}

/** Same size, modification time, change time and inode: the content is taken as unchanged (as restic does). */
export function looksUnchanged(st: BigIntStats, previous: TreeNode | undefined): previous is TreeNode {
  return (
    previous !== undefined &&
    previous.type === 'file' &&
    previous.size === Number(st.size) &&
    previous.mtime === nsToIso(st.mtimeNs) &&
    previous.ctime === nsToIso(st.ctimeNs) &&
    previous.inode === st.ino.toString()
  );
}
