// What a drill restores, as restore plans (src/restore) into the scratch folder: the whole snapshot, a
// sample of its files, or some of its paths. Planning reads the folder listings: the drill's "trees" phase.

import path from 'node:path';
import { type BlobReader, findNode, loadTree, type TreeNode } from '../repository/index.js';
import { type PlanItem, planRestore, type RestorePlan } from '../restore/index.js';
import type { DrillScope } from './drill-result.js';
import { sampleItems } from './sample.js';

/** One restore plan and the snapshot folder its target stands for. */
export interface PlannedRoot {
  /** Absolute path in the snapshot that the plan's target folder corresponds to ("/" for the whole). */
  readonly base: string;
  readonly plan: RestorePlan;
}

export interface DrillPlan {
  readonly roots: readonly PlannedRoot[];
  /** Every entry of the planned scope before sampling, with its snapshot path: for sizing RTO sets. */
  readonly everything: readonly SnapshotEntry[];
  /** --paths that are not in the snapshot. */
  readonly missing: readonly string[];
}

export interface SnapshotEntry {
  /** Absolute path in the snapshot. */
  readonly path: string;
  readonly node: TreeNode;
}

export async function planDrill(
  reader: BlobReader,
  rootTree: string,
  scope: DrillScope,
  scratch: string,
  signal?: AbortSignal,
): Promise<DrillPlan> {
  const opts = { overwrite: 'never' as const, ...(signal ? { signal } : {}) };
  if (scope.kind !== 'paths') {
    const nodes = (await loadTree(reader, rootTree, signal ? { signal } : {})).nodes;
    const whole = await planRestore(reader, nodes, { ...opts, target: scratch });
    const everything = entriesOf({ base: '/', plan: whole });
    if (scope.kind === 'full') return { roots: [{ base: '/', plan: whole }], everything, missing: [] };
    const files = whole.items.filter((i) => i.node.type === 'file');
    const chosen = new Set(sampleItems(files, (i) => i.rel, scope.percent, scope.seed));
    const items = whole.items.filter((i) => i.node.type !== 'file' || chosen.has(i));
    return { roots: [{ base: '/', plan: withItems(whole, items) }], everything, missing: [] };
  }
  const roots: PlannedRoot[] = [];
  const missing: string[] = [];
  for (const wanted of outermost(scope.paths)) {
    const found = await findNode(reader, rootTree, wanted, signal ? { signal } : {});
    if (!found?.node) {
      missing.push(wanted);
      continue;
    }
    const base = path.posix.dirname(wanted);
    const plan = await planRestore(reader, [found.node], { ...opts, target: path.join(scratch, base) });
    roots.push({ base, plan });
  }
  return { roots, everything: roots.flatMap(entriesOf), missing };
}

/** The entries of a plan with their paths in the snapshot. */
export function entriesOf(root: PlannedRoot): SnapshotEntry[] {
  return root.plan.items.map((i) => ({ path: snapshotPath(root.base, i.rel), node: i.node }));
}

export function snapshotPath(base: string, rel: Buffer | Uint8Array): string {
  return path.posix.join(base, Buffer.from(rel).toString());
}

/** Absolute, normalized, without any path that lies inside another one given. */
export function outermost(paths: readonly string[]): string[] {
  const normalized = [...new Set(paths.map((p) => path.posix.normalize(`/${p}`).replace(/(.)\/$/, '$1')))];
  return normalized.filter((p) => !normalized.some((q) => q !== p && isUnder(p, q))).sort();
}

/** `p` is `folder` or inside it. */
export function isUnder(p: string, folder: string): boolean {
  return folder === '/' || p === folder || p.startsWith(`${folder}/`);
}

/** Files and bytes of the entries at or under any of `paths` (all of them when `paths` is undefined). */
export function sizeUnder(
  entries: readonly SnapshotEntry[],
  paths: readonly string[] | undefined,
): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of entries) {
    if (e.node.type !== 'file') continue;
    if (paths && !paths.some((p) => isUnder(e.path, p))) continue;
    files++;
    bytes += e.node.size ?? 0;
  }
  return { files, bytes };
}

function withItems(plan: RestorePlan, items: readonly PlanItem[]): RestorePlan {
  const files = items.filter(
    (i) => i.node.type === 'file' && (i.action === 'create' || i.action === 'overwrite'),
  );
  return {
    target: plan.target,
    items,
    files: files.length,
    bytes: files.reduce((sum, i) => sum + (i.node.size ?? 0), 0),
    conflicts: items.filter((i) => i.action === 'conflict').length,
  };
}
