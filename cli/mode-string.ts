// `drwxr-x---`-style permissions for listings.

import type { TreeNode } from '../src/repository/index.js';

export function modeString(node: TreeNode): string {
  const kind = node.type === 'dir' ? 'd' : node.type === 'symlink' ? 'l' : '-';
  const bits = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (node.mode & (1 << (8 - i)) ? c : '-'))
    .join('');
  return kind + bits;
}
