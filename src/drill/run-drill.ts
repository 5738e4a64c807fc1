// One disaster-recovery drill: restore a snapshot (or part of it) into a scratch folder as a real recovery
// would, verify every file against its SHA-256, time each phase, and judge the time against the RTOs.
// Damage does not stop it: every file that fails, and every damaged object, ends up in the result.

import os from 'node:os';
import { keyNameOf } from '../audit/index.js';
import type { RtoTarget } from '../config/index.js';
import { InterruptedError } from '../errors.js';
import {
  type Repository,
  RepositoryBlobReader,
  selectSnapshot,
  type SnapshotFilter,
  type StoredSnapshot,
  withLock,
} from '../repository/index.js';
import { applyRestorePlan, newRestoreTimings, type RestoreOutcome } from '../restore/index.js';
import { PROGRAM_VERSION } from '../version.js';
import { DamageRecordingReader } from './damage-reader.js';
import {
  type DamagedObject,
  type DrillPhases,
  type DrillResult,
  type DrillScope,
  FAILED_FILES_KEPT,
  type FailedFile,
} from './drill-result.js';
import { type DrillPlan, type PlannedRoot, planDrill, snapshotPath } from './drill-plan.js';
import { drillReasons } from './reasons.js';
import { evaluateTarget, type Measurement, WHOLE_SNAPSHOT } from './rto.js';
import { newSampleSeed } from './sample.js';
import { prepareScratch } from './scratch.js';
import { snapshotTotals, targetScopes } from './target-scopes.js';
import { loadIndexNoting, loadSnapshotsNoting } from './tolerant-load.js';

/** A sample without a seed gets a fresh one (recorded in the result). */
export type DrillScopeRequest =
  DrillScope | { readonly kind: 'sample'; readonly percent: number; readonly seed?: string };

export type DrillStage = 'open' | 'trees' | 'restore' | 'finish';

export interface DrillOptions {
  /** `latest` (the default) or an id prefix. */
  readonly snapshot?: string;
  readonly filter?: SnapshotFilter;
  /** Default: the whole snapshot. */
  readonly scope?: DrillScopeRequest;
  /** A new or empty folder; default a new one under the system's temporary folder. */
  readonly target?: string;
  /** Leave the restored files in place (default: remove them). */
  readonly keep?: boolean;
  readonly rto?: readonly RtoTarget[];
  /** Milliseconds the caller spent opening the repository (key derivation): part of the recovery time. */
  readonly openMs?: number;
  readonly signal?: AbortSignal;
  /** Wall clock for the record's times (tests inject one). */
  readonly now?: () => Date;
  readonly onWarning?: (message: string) => void;
  readonly onStage?: (stage: DrillStage, detail: { files: number; bytes: number }) => void;
  readonly onBytes?: (n: number) => void;
  readonly onFileDone?: () => void;
}

/** An RTO target for the whole snapshot, as `--rto 4h` gives. */
export function wholeSnapshotTarget(target: string, targetMs: number): RtoTarget {
  return { name: WHOLE_SNAPSHOT, target, targetMs };
}

export async function runDrill(repo: Repository, opts: DrillOptions = {}): Promise<DrillResult> {
  const now = opts.now ?? (() => new Date());
  const keyName = keyNameOf(repo);
  return withLock(
    { storage: repo.storage, master: repo.master },
    { exclusive: false, operation: 'drill', ...(opts.onWarning ? { onUnlocked: opts.onWarning } : {}) },
    () => drillLocked(repo, opts, now, keyName),
  );
}

async function drillLocked(
  repo: Repository,
  opts: DrillOptions,
  now: () => Date,
  keyName: string,
): Promise<DrillResult> {
  const ctx = { storage: repo.storage, master: repo.master };
  const signal = opts.signal;
  const startedAt = now();
  const damaged: DamagedObject[] = [];
  const scope = resolveScope(opts.scope ?? { kind: 'full' });

  opts.onStage?.('open', { files: 0, bytes: 0 });
  const t0 = performance.now();
  const snapshot = selectSnapshot(
    await loadSnapshotsNoting(ctx, damaged, signal),
    opts.snapshot ?? 'latest',
    opts.filter,
  );
  const scratchStart = performance.now();
  const scratch = await prepareScratch(opts.target, snapshot.snapshot.paths);
  const scratchMs = performance.now() - scratchStart;
  try {
    const index = await loadIndexNoting(ctx, damaged, signal);
    const reader = new DamageRecordingReader(
      new RepositoryBlobReader(repo.storage, repo.master, index),
      index,
    );
    const tIndexed = performance.now();
    opts.onStage?.('trees', { files: 0, bytes: 0 });
    const plan = await planDrill(reader, snapshot.snapshot.tree, scope, scratch.path, signal);
    const tPlanned = performance.now();
    const planned = plan.roots.reduce(
      (sum, r) => ({ files: sum.files + r.plan.files, bytes: sum.bytes + r.plan.bytes }),
      { files: 0, bytes: 0 },
    );
    opts.onStage?.('restore', planned);
    const timings = newRestoreTimings();
    const outcomes: { root: PlannedRoot; outcome: RestoreOutcome }[] = [];
    for (const root of plan.roots) {
      const outcome = await applyRestorePlan(reader, root.plan, {
        timings,
        ...(signal ? { signal } : {}),
        ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
        ...(opts.onFileDone ? { onFileDone: opts.onFileDone } : {}),
      });
      outcomes.push({ root, outcome });
    }
    const tRestored = performance.now();
    signal?.throwIfAborted();
    opts.onStage?.('finish', planned);

    const openMs = (opts.openMs ?? 0) + (tIndexed - t0 - scratchMs);
    const treesMs = tPlanned - tIndexed;
    const restoreMs = tRestored - tPlanned;
    const phases = sharePhases(openMs, treesMs, restoreMs, timings);
    const wallMs = openMs + treesMs + restoreMs;
    const restored = outcomes.reduce(
      (sum, { outcome }) => ({
        files: sum.files + outcome.filesRestored,
        bytes: sum.bytes + outcome.bytesRestored,
      }),
      { files: 0, bytes: 0 },
    );
    const measurement: Measurement = {
      fixedMs: openMs + treesMs,
      restoreMs,
      wallMs,
      filesRestored: restored.files,
      bytesRestored: restored.bytes,
      sampled: scope.kind === 'sample',
    };
    // Sizing the RTO sets may read more folder listings; it comes after the timing, so it does not count.
    const scopes = await targetScopes(reader, snapshot, scope, plan, opts.rto ?? [], signal);
    const targets = scopes.map((s) => evaluateTarget(measurement, s));
    const totals = await snapshotTotals(reader, snapshot, scope, plan, signal);
    const failedFiles = failuresOf(outcomes);
    const damagedObjects = [...damaged, ...reader.damagedObjects()];
    const damagedFolders = damagedFoldersOf(plan, snapshot.snapshot.tree, reader.damagedTrees);
    const reasons = drillReasons({
      scope,
      snapshotId: snapshot.id,
      restoredFiles: restored.files,
      failedFiles,
      damagedObjects,
      damagedFolders,
      missingPaths: plan.missing,
      targets,
    });
    return {
      version: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      ranBy: { keyId: repo.keyId, keyName, host: os.hostname(), user: userName() },
      program: `coffer ${PROGRAM_VERSION}`,
      snapshot: snapshotFacts(snapshot),
      scope,
      scratch: { path: scratch.path, kept: Boolean(opts.keep) },
      phases,
      busyMs: { downloadMs: timings.downloadMs, writeMs: timings.writeMs, verifyMs: timings.verifyMs },
      wallMs,
      restored: {
        ...restored,
        ...(restored.bytes > 0 && restoreMs > 0
          ? { bytesPerSecond: (restored.bytes * 1000) / restoreMs }
          : {}),
      },
      snapshotTotals: totals,
      targets,
      passed: reasons.length === 0,
      reasons,
      failedFiles: failedFiles.slice(0, FAILED_FILES_KEPT),
      failedFileCount: failedFiles.length,
      damagedObjects,
      damagedFolders,
    };
  } catch (err) {
    if (signal?.aborted)
      throw new InterruptedError('the drill was interrupted; nothing was recorded', { cause: err });
    throw err;
  } finally {
    if (!opts.keep) {
      await scratch
        .remove()
        .catch((err: Error) =>
          opts.onWarning?.(`could not remove the drill's scratch folder ${scratch.path}: ${err.message}`),
        );
    }
  }
}

function resolveScope(request: DrillScopeRequest): DrillScope {
  if (request.kind !== 'sample') return request;
  return { kind: 'sample', percent: request.percent, seed: request.seed ?? newSampleSeed() };
}

/** The restore's wall time shared out over download, write and verify in proportion to the time spent in each. */
function sharePhases(
  openMs: number,
  treesMs: number,
  restoreMs: number,
  busy: { downloadMs: number; writeMs: number; verifyMs: number },
): DrillPhases {
  const total = busy.downloadMs + busy.writeMs + busy.verifyMs;
  const share = (ms: number): number => (total > 0 ? (restoreMs * ms) / total : 0);
  return {
    openMs,
    treesMs,
    downloadMs: share(busy.downloadMs),
    writeMs: total > 0 ? share(busy.writeMs) : restoreMs,
    verifyMs: share(busy.verifyMs),
  };
}

function failuresOf(outcomes: readonly { root: PlannedRoot; outcome: RestoreOutcome }[]): FailedFile[] {
  const failed: FailedFile[] = [];
  for (const { root, outcome } of outcomes) {
    const nodes = new Map(root.plan.items.map((i) => [i.rel.toString(), i.node]));
    for (const problem of [...outcome.errors, ...outcome.conflicts]) {
      const sha256 = nodes.get(problem.path)?.sha256;
      failed.push({
        path: snapshotPath(root.base, Buffer.from(problem.path)),
        ...(sha256 ? { expectedSha256: sha256 } : {}),
        error: problem.message,
      });
    }
  }
  return failed.sort((a, b) => a.path.localeCompare(b.path));
}

/** The snapshot folders whose listing could not be read ("/" for the root). */
function damagedFoldersOf(plan: DrillPlan, rootTree: string, damagedTrees: ReadonlySet<string>): string[] {
  if (damagedTrees.size === 0) return [];
  const named = new Set<string>();
  const found: string[] = [];
  for (const e of plan.everything) {
    if (e.node.type === 'dir' && e.node.subtree && damagedTrees.has(e.node.subtree)) {
      found.push(e.path);
      named.add(e.node.subtree);
    }
  }
  // Trees not reached through the plan: the root, or folders on the way to a --paths entry.
  for (const id of damagedTrees) {
    if (named.has(id)) continue;
    found.push(id === rootTree ? '/' : `(folder listing ${id.slice(0, 12)})`);
  }
  return found.sort();
}

function snapshotFacts(s: StoredSnapshot): DrillResult['snapshot'] {
  return { id: s.id, time: s.snapshot.time, host: s.snapshot.host, paths: s.snapshot.paths };
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
