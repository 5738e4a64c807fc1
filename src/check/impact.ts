// Which paths an error affects: per tree, the damaged paths below it, merged upward under each folder name.

import type { Finding } from './findings.js';
import { PATH_LIMIT } from './result.js';

/** Paths (relative to a tree, each starting with `/`) hit by one error; folders end with `/`. */
export interface PathSet {
  readonly paths: string[];
  files: number;
  folders: number;
}

/** For one tree: every error that affects something under it, with the paths. Most trees have none. */
export type TreeImpact = ReadonlyMap<Finding, PathSet>;

export const NO_IMPACT: TreeImpact = new Map();

/** Records that `path` (a file, or with `folder` a whole folder) is affected by `finding`. */
export function addHit(impact: Map<Finding, PathSet>, finding: Finding, path: string, folder: boolean): void {
  const set = setFor(impact, finding);
  if (set.paths.length < PATH_LIMIT) set.paths.push(folder && !path.endsWith('/') ? `${path}/` : path);
  if (folder) set.folders++;
  else set.files++;
}

/** Adds a subfolder's impact, its paths prefixed by `/name`. */
export function addUnder(impact: Map<Finding, PathSet>, name: string, child: TreeImpact): void {
  for (const [finding, sub] of child) {
    const set = setFor(impact, finding);
    for (const p of sub.paths) {
      if (set.paths.length >= PATH_LIMIT) break;
      set.paths.push(`/${name}${p}`);
    }
    set.files += sub.files;
    set.folders += sub.folders;
  }
}

function setFor(impact: Map<Finding, PathSet>, finding: Finding): PathSet {
  let set = impact.get(finding);
  if (!set) {
    set = { paths: [], files: 0, folders: 0 };
    impact.set(finding, set);
  }
  return set;
}
