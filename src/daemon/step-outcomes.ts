// Reading what a step printed with --json: the snapshot a backup wrote, whether a check or drill found
// the repository sound, what forget and prune removed. Defensive, since it reads another process's output.

import { formatBytes } from '../ui/index.js';
import type { StepResult } from './step-runner.js';

export interface BackupSummary {
  readonly snapshot: string;
  readonly bytesAdded: number;
  readonly filesNew: number;
  readonly filesChanged: number;
  readonly incomplete: boolean;
}

export interface Verdict {
  readonly ok: boolean;
  readonly summary: string;
}

type Doc = Record<string, unknown>;

function docs(result: StepResult): Doc[] {
  return result.documents.filter((d): d is Doc => typeof d === 'object' && d !== null && !Array.isArray(d));
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The summary line of `backup --json`, if the backup wrote a snapshot. */
export function backupSummary(result: StepResult): BackupSummary | undefined {
  const summary = docs(result).findLast((d) => d.type === 'summary');
  if (!summary || typeof summary.snapshotId !== 'string') return undefined;
  return {
    snapshot: summary.snapshotId,
    bytesAdded: num(summary.bytesAdded),
    filesNew: num(summary.filesNew),
    filesChanged: num(summary.filesChanged),
    incomplete: summary.incomplete === true,
  };
}

/** The files and folders a backup warned about (`unreadable`: missing from the snapshot), as log lines. */
export function backupWarnings(result: StepResult): string[] {
  return docs(result)
    .filter((d) => d.type === 'warning' && typeof d.path === 'string')
    .map(
      (d) => `${d.kind === 'unreadable' ? 'warning' : 'note'}: ${String(d.path)} ${String(d.message ?? '')}`,
    );
}

/** `check --json`: ok, and a line saying what was checked or what is wrong. */
export function checkVerdict(result: StepResult): Verdict | undefined {
  const doc = docs(result).find((d) => typeof d.ok === 'boolean' && typeof d.counts === 'object');
  if (!doc) return undefined;
  const counts = (doc.counts ?? {}) as Doc;
  const errors = Array.isArray(doc.errors) ? (doc.errors as Doc[]) : [];
  if (doc.ok === true) {
    return {
      ok: true,
      summary: `no errors in ${plural(num(counts.snapshots), 'snapshot')} and ${plural(num(counts.packs), 'pack')} (${num(counts.packsRead)} read in full)`,
    };
  }
  const first = errors[0];
  const what = typeof first?.message === 'string' ? `: ${first.message}` : '';
  return { ok: false, summary: `${plural(errors.length, 'error')} found${what}` };
}

/** `forget --json [--prune]`: what was removed and freed. */
export function forgetSummary(result: StepResult): { summary: string; pruned: boolean } | undefined {
  const doc = docs(result).find((d) => typeof d.removed === 'number');
  if (!doc) return undefined;
  const removed = num(doc.removed);
  const prune = typeof doc.prune === 'object' && doc.prune !== null ? (doc.prune as Doc) : undefined;
  const forgot = `forget removed ${plural(removed, 'snapshot')}`;
  if (!prune) return { summary: forgot, pruned: false };
  return {
    summary: `${forgot}; prune deleted ${plural(num(prune.deletePacks), 'pack')}, repacked ${num(prune.repackPacks)}, freed ${formatBytes(num(prune.bytesFreed))}`,
    pruned: true,
  };
}

/** `drill run --json`: passed or not, with the drill's own summary when it gives one. */
export function drillVerdict(result: StepResult): Verdict | undefined {
  const doc = docs(result).findLast((d) => typeof d.passed === 'boolean' || typeof d.ok === 'boolean');
  if (!doc) return undefined;
  const passed = doc.passed === true || (doc.passed === undefined && doc.ok === true);
  const summary =
    typeof doc.summary === 'string' ? doc.summary : passed ? 'the drill passed' : 'the drill did not pass';
  return { ok: passed, summary };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
