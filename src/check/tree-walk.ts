// Walking every snapshot's trees once per distinct tree: each tree and data blob used must be indexed and
// readable; what is not is attributed to the snapshots and paths that use it.

import {
  type BlobReader,
  type BlobType,
  loadTree,
  type MasterIndex,
  nameText,
  objectKey,
  type StoredSnapshot,
  type Tree,
} from '../repository/index.js';
import { classify } from './failures.js';
import type { Finding, Findings } from './findings.js';
import { addHit, addUnder, NO_IMPACT, type PathSet, type TreeImpact } from './impact.js';
import type { CheckProgress } from './result.js';

/** Tree blobs read at once (each a small ranged read). */
const TREES_AT_ONCE = 8;

export interface TreeWalkContext {
  readonly reader: BlobReader;
  readonly index: MasterIndex;
  /** Blob id -> the error that makes it unreadable where the index says it is. Trees found bad are added. */
  readonly badBlobs: Map<string, Finding>;
  readonly findings: Findings;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: CheckProgress) => void;
}

export interface TreeWalkResult {
  /** Every blob the snapshots use, trees and data. */
  readonly used: ReadonlySet<string>;
  readonly trees: number;
  readonly dataBlobs: number;
}

export async function walkSnapshots(
  ctx: TreeWalkContext,
  snapshots: readonly StoredSnapshot[],
): Promise<TreeWalkResult> {
  const walker = new TreeWalker(ctx);
  await Promise.all(
    snapshots.map(async ({ id, snapshot }) => {
      for (const [finding, set] of await walker.impactOf(snapshot.tree))
        finding.affect(id, snapshot.time, set);
    }),
  );
  walker.finish();
  return { used: walker.used, trees: walker.trees, dataBlobs: walker.dataBlobs };
}

class TreeWalker {
  readonly #ctx: TreeWalkContext;
  /** One walk per distinct tree, shared by every snapshot and folder that includes it. */
  readonly #memo = new Map<string, Promise<TreeImpact>>();
  readonly used = new Set<string>();
  readonly #missing = { tree: 0, data: 0 };
  #missingFinding: Finding | undefined;
  trees = 0;
  dataBlobs = 0;
  #reading = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(ctx: TreeWalkContext) {
    this.#ctx = ctx;
  }

  impactOf(treeId: string): Promise<TreeImpact> {
    let impact = this.#memo.get(treeId);
    if (!impact) {
      impact = this.#walk(treeId);
      this.#memo.set(treeId, impact);
    }
    return impact;
  }

  /** Gives the error for blobs missing from the index its final wording, once their number is known. */
  finish(): void {
    if (!this.#missingFinding) return;
    const { tree, data } = this.#missing;
    const kinds = [tree > 0 ? `${tree} tree` : '', data > 0 ? `${data} data` : '']
      .filter(Boolean)
      .join(' and ');
    const hint = this.#ctx.findings.has('index-damaged')
      ? ' (probably listed by the damaged index file above)'
      : '';
    this.#missingFinding.message = `${kinds} blob${tree + data === 1 ? '' : 's'} that snapshots use ${tree + data === 1 ? 'is' : 'are'} not in any index${hint}`;
  }

  async #walk(id: string): Promise<TreeImpact> {
    this.#ctx.signal?.throwIfAborted();
    this.used.add(id);
    const known = this.#problemOf(id, 'tree');
    if (known) return wholeFolder(known);
    let tree: Tree;
    try {
      tree = await this.#limited(() =>
        loadTree(this.#ctx.reader, id, this.#ctx.signal ? { signal: this.#ctx.signal } : {}),
      );
    } catch (err) {
      return wholeFolder(this.#treeFailed(id, err));
    }
    this.trees++;
    this.#ctx.onProgress?.({ phase: 'trees', done: this.trees, total: 0 });
    const subtrees = await Promise.all(
      tree.nodes.map((n) => (n.type === 'dir' && n.subtree ? this.impactOf(n.subtree) : NO_IMPACT)),
    );
    const impact = new Map<Finding, PathSet>();
    tree.nodes.forEach((node, i) => {
      const name = nameText(node.name);
      if (node.type === 'dir') addUnder(impact, name, subtrees[i]!);
      if (node.type !== 'file') return;
      const hits = new Set<Finding>();
      for (const blob of node.content ?? []) {
        if (!this.used.has(blob)) {
          this.used.add(blob);
          this.dataBlobs++;
        }
        const problem = this.#problemOf(blob, 'data');
        if (problem) hits.add(problem);
      }
      for (const finding of hits) addHit(impact, finding, `/${name}`, false);
    });
    return impact.size > 0 ? impact : NO_IMPACT;
  }

  /** Why a blob cannot be read, if that is already known: not indexed (as this type), or in a bad place. */
  #problemOf(id: string, type: BlobType): Finding | undefined {
    const bad = this.#ctx.badBlobs.get(id);
    if (bad) return bad;
    if (this.#ctx.index.lookup(id)?.type === type) return undefined;
    this.#missing[type]++;
    this.#missingFinding ??= this.#ctx.findings.error('blobs-missing', 'index', 'blobs are missing');
    // counted once per blob: later uses find it here
    this.#ctx.badBlobs.set(id, this.#missingFinding);
    return this.#missingFinding;
  }

  #treeFailed(id: string, err: unknown): Finding {
    const failure = classify(err, this.#ctx.signal);
    const at = this.#ctx.index.lookup(id);
    const where = at ? ` (stored in ${objectKey('pack', at.packId)})` : '';
    const finding = this.#ctx.findings.error(
      failure.what === 'unreadable' ? 'read-failed' : 'tree-damaged',
      `tree blob ${id}`,
      `${failure.message}${where}`,
    );
    this.#ctx.badBlobs.set(id, finding);
    return finding;
  }

  async #limited<T>(read: () => Promise<T>): Promise<T> {
    while (this.#reading >= TREES_AT_ONCE) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#reading++;
    try {
      return await read();
    } finally {
      this.#reading--;
      this.#waiting.shift()?.();
    }
  }
}

function wholeFolder(finding: Finding): TreeImpact {
  const impact = new Map<Finding, PathSet>();
  addHit(impact, finding, '/', true);
  return impact;
}
