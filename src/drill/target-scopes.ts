// For each RTO target: how much a real recovery of it restores, and how that relates to what the drill
// restored (exactly it, more than it, or not all of it). Sizes come from the drill's own plan when it
// covered the target, else from a walk of the folder listings done after the timing stopped.

import type { RtoTarget } from '../config/index.js';
import { type BlobReader, findNode, type StoredSnapshot, walkTree } from '../repository/index.js';
import type { DrillScope } from './drill-result.js';
import { type DrillPlan, isUnder, outermost, sizeUnder } from './drill-plan.js';
import type { Coverage, TargetScope } from './rto.js';

export interface Sizes {
  readonly files: number;
  readonly bytes: number;
}

export async function targetScopes(
  reader: BlobReader,
  snapshot: StoredSnapshot,
  scope: DrillScope,
  plan: DrillPlan,
  targets: readonly RtoTarget[],
  signal?: AbortSignal,
): Promise<TargetScope[]> {
  const drilled = scope.kind === 'paths' ? outermost(scope.paths) : ['/'];
  const out: TargetScope[] = [];
  for (const target of targets) {
    const wanted = target.paths ? outermost(target.paths) : ['/'];
    const coverage = coverageOf(scope, drilled, wanted);
    const inPlan = wanted.every((w) => drilled.some((d) => isUnder(w, d)));
    if (inPlan) {
      const missing = wanted.filter((w) => w !== '/' && !plan.everything.some((e) => e.path === w));
      out.push({
        target,
        coverage,
        missing,
        ...sizeUnder(plan.everything, target.paths ? wanted : undefined),
      });
    } else {
      out.push({ target, coverage, ...(await sizeOfPaths(reader, snapshot.snapshot.tree, wanted, signal)) });
    }
  }
  return out;
}

function coverageOf(scope: DrillScope, drilled: readonly string[], wanted: readonly string[]): Coverage {
  if (scope.kind === 'sample') return 'outside';
  if (drilled.length === wanted.length && drilled.every((d, i) => d === wanted[i])) return 'exact';
  return wanted.every((w) => drilled.some((d) => isUnder(w, d))) ? 'within' : 'outside';
}

/** Files and bytes at or under `paths` in a snapshot, and which of the paths it does not have. */
export async function sizeOfPaths(
  reader: BlobReader,
  rootTree: string,
  paths: readonly string[],
  signal?: AbortSignal,
): Promise<Sizes & { missing: string[] }> {
  const opts = signal ? { signal } : {};
  let files = 0;
  let bytes = 0;
  const missing: string[] = [];
  for (const p of outermost(paths)) {
    const found = p === '/' ? { treeId: rootTree } : await findNode(reader, rootTree, p, opts);
    if (!found) {
      missing.push(p);
      continue;
    }
    if (found.node && found.node.type !== 'dir') {
      if (found.node.type === 'file') {
        files++;
        bytes += found.node.size ?? 0;
      }
      continue;
    }
    for await (const { node } of walkTree(reader, found.treeId, new Uint8Array(0), opts)) {
      if (node.type !== 'file') continue;
      files++;
      bytes += node.size ?? 0;
    }
  }
  return { files, bytes, missing };
}

/** The whole snapshot's size: from the plan when the drill planned all of it, else its summary, else a walk. */
export async function snapshotTotals(
  reader: BlobReader,
  snapshot: StoredSnapshot,
  scope: DrillScope,
  plan: DrillPlan,
  signal?: AbortSignal,
): Promise<Sizes> {
  if (scope.kind !== 'paths') return sizeUnder(plan.everything, undefined);
  const summary = snapshot.snapshot.summary;
  if (summary) return { files: summary.totalFiles, bytes: summary.totalBytes };
  const { files, bytes } = await sizeOfPaths(reader, snapshot.snapshot.tree, ['/'], signal);
  return { files, bytes };
}
