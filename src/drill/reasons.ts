// Why a drill failed, in sentences a clerk can read out at a council meeting. No reasons: it passed.

import { formatDuration } from '../ui/index.js';
import type { DamagedObject, DrillScope, FailedFile, TargetResult } from './drill-result.js';

export interface ReasonFacts {
  readonly scope: DrillScope;
  readonly snapshotId: string;
  readonly restoredFiles: number;
  readonly failedFiles: readonly FailedFile[];
  readonly damagedObjects: readonly DamagedObject[];
  readonly damagedFolders: readonly string[];
  readonly missingPaths: readonly string[];
  readonly targets: readonly TargetResult[];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function drillReasons(f: ReasonFacts): string[] {
  const reasons: string[] = [];
  if (f.failedFiles.length > 0) {
    const first = f.failedFiles[0]!;
    reasons.push(
      `${plural(f.failedFiles.length, 'file')} could not be restored and verified (${f.restoredFiles} were), the first ${first.path}: ${first.error}`,
    );
  }
  if (f.damagedFolders.length > 0)
    reasons.push(
      `${plural(f.damagedFolders.length, 'folder listing')} could not be read, so nothing under ${f.damagedFolders.length === 1 ? 'it' : 'them'} was restored: ${f.damagedFolders.join(', ')}`,
    );
  if (f.damagedObjects.length > 0)
    reasons.push(
      `the repository is damaged: ${f.damagedObjects.map((d) => d.key).join(', ')} (run "coffer check --read-data" for the full extent)`,
    );
  if (f.missingPaths.length > 0)
    reasons.push(`not in snapshot ${f.snapshotId.slice(0, 8)}: ${f.missingPaths.join(', ')}`);
  for (const t of f.targets) {
    if (t.met) continue;
    reasons.push(
      t.achievedMs === undefined
        ? `the RTO "${t.name}" (${t.target}) could not be shown to be met: ${t.note}`
        : `the RTO "${t.name}" (${t.target}) was not met: ${t.basis === 'estimate' ? 'an estimated' : 'a measured'} ${formatDuration(t.achievedMs)}`,
    );
  }
  return reasons;
}
