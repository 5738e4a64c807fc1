// Judging a drill against recovery time objectives. Pure: the measured numbers in, one verdict per target
// out, each saying whether its time was measured, bounded or estimated, and on what assumption.

import type { RtoTarget } from '../config/index.js';
import { formatBytes, formatDuration, formatRate } from '../ui/index.js';
import type { TargetResult } from './drill-result.js';

/** What the drill measured. */
export interface Measurement {
  /** Opening the repository, loading the index, reading the folder listings: paid once per recovery. */
  readonly fixedMs: number;
  /** Wall time of the restore proper (download, write, verify). */
  readonly restoreMs: number;
  /** open + trees + restore: the drill's own achieved recovery time. */
  readonly wallMs: number;
  readonly filesRestored: number;
  readonly bytesRestored: number;
  /** True when the drill restored a sample, so even its folder listings were read for the whole snapshot. */
  readonly sampled: boolean;
}

/** How a target's scope relates to what the drill restored. */
export type Coverage =
  /** The drill restored exactly this scope, all of it. */
  | 'exact'
  /** The drill restored all of this scope, and more. */
  | 'within'
  /** The drill did not restore all of this scope (a sample, or other paths). */
  | 'outside';

export interface TargetScope {
  readonly target: RtoTarget;
  readonly coverage: Coverage;
  /** Files and bytes a real recovery of the target's scope restores. */
  readonly files: number;
  readonly bytes: number;
  /** Paths of the target that are not in the snapshot. */
  readonly missing: readonly string[];
}

export const WHOLE_SNAPSHOT = 'whole snapshot';

const files = (n: number): string => `${n} file${n === 1 ? '' : 's'}`;

export function throughputOf(m: Measurement): number | undefined {
  return m.bytesRestored > 0 && m.restoreMs > 0 ? (m.bytesRestored * 1000) / m.restoreMs : undefined;
}

/** Fixed costs plus the scope's bytes at the measured throughput; undefined when there is nothing to go by. */
export function estimateMs(m: Measurement, bytes: number): number | undefined {
  if (bytes === 0) return m.fixedMs;
  const rate = throughputOf(m);
  return rate === undefined ? undefined : m.fixedMs + (bytes * 1000) / rate;
}

export function evaluateTarget(m: Measurement, scope: TargetScope): TargetResult {
  const t = scope.target;
  const base = {
    name: t.name,
    ...(t.paths ? { paths: t.paths } : {}),
    target: t.target,
    targetMs: t.targetMs,
    files: scope.files,
    bytes: scope.bytes,
  };
  if (scope.missing.length > 0) {
    return {
      ...base,
      basis: 'estimate',
      met: false,
      note: `not in the snapshot: ${scope.missing.join(', ')}; the set cannot be recovered from it, so check the RTO's paths against what the job backs up`,
    };
  }
  if (scope.coverage === 'exact') {
    return {
      ...base,
      achievedMs: m.wallMs,
      basis: 'measured',
      met: m.wallMs <= t.targetMs,
      note: `measured: this drill restored exactly this, ${formatBytes(scope.bytes)} in ${files(scope.files)}, in ${formatDuration(m.wallMs)}`,
    };
  }
  if (scope.coverage === 'within' && m.wallMs <= t.targetMs) {
    return {
      ...base,
      achievedMs: m.wallMs,
      basis: 'upper-bound',
      met: true,
      note: `at most ${formatDuration(m.wallMs)}: this drill restored more than this set (the set is ${formatBytes(scope.bytes)} in ${files(scope.files)}) in that time, so the set alone takes no longer`,
    };
  }
  const estimate = estimateMs(m, scope.bytes);
  if (estimate === undefined) {
    return {
      ...base,
      basis: 'estimate',
      met: false,
      note: 'cannot be estimated: the drill restored no data to measure the throughput by; run a full drill (--scope full)',
    };
  }
  const within =
    scope.coverage === 'within'
      ? `the whole drill took ${formatDuration(m.wallMs)}, longer than the target, so the set's own time is estimated: `
      : '';
  return {
    ...base,
    achievedMs: estimate,
    basis: 'estimate',
    met: estimate <= t.targetMs,
    note: `${within}estimate: ${formatDuration(m.fixedMs)} to open the repository and read the folder listings, plus ${formatBytes(scope.bytes)} at ${formatRate(m.bytesRestored, m.restoreMs)}; ${assumption(m)}`,
  };
}

/** The assumption an estimate rests on, in words. */
export function assumption(m: Measurement): string {
  const listings = m.sampled
    ? 'the folder listings were read for the whole snapshot'
    : 'opening and reading the folder listings take as long as in this drill';
  return `assumes the throughput stays as measured over ${formatBytes(m.bytesRestored)} in ${files(m.filesRestored)} (${formatRate(m.bytesRestored, m.restoreMs)}) and ${listings}`;
}
