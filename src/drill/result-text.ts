// A drill's result as a clear PASS/FAIL block for a clerk: what was restored, how long it took against each
// RTO and how that time was obtained, every file that failed and every damaged object.

import { formatBytes, formatDuration } from '../ui/index.js';
import { scopeText } from './describe-drill.js';
import type { DrillResult, TargetResult } from './drill-result.js';

const RULE = '='.repeat(64);

export function drillResultLines(r: DrillResult, recordId?: string): string[] {
  const p = r.phases;
  const lines = [
    RULE,
    r.passed ? '  DRILL PASSED' : '  DRILL FAILED',
    RULE,
    `Snapshot    ${r.snapshot.id.slice(0, 8)} of ${utc(r.snapshot.time)} (host ${r.snapshot.host}): ${r.snapshot.paths.join(', ')}`,
    `Scope       ${r.scope.kind === 'sample' ? `a ${r.scope.percent}% sample of the files (the same files again: --seed ${r.scope.seed})` : scopeText(r.scope)}`,
    `Restored    ${r.restored.files} ${r.restored.files === 1 ? 'file' : 'files'}, ${formatBytes(r.restored.bytes)}${r.failedFileCount === 0 ? ', every one verified against its SHA-256' : `; ${r.failedFileCount} failed`}${r.scope.kind === 'full' ? '' : ` (the snapshot holds ${r.snapshotTotals.files} files, ${formatBytes(r.snapshotTotals.bytes)})`}`,
    `Time        ${formatDuration(r.wallMs)} (open ${formatDuration(p.openMs)}, folder listings ${formatDuration(p.treesMs)}, download and decrypt ${formatDuration(p.downloadMs)}, write ${formatDuration(p.writeMs)}, verify ${formatDuration(p.verifyMs)})`,
    `Speed       ${r.restored.bytesPerSecond === undefined ? '-' : `${formatBytes(r.restored.bytesPerSecond)}/s`}`,
  ];
  lines.push('', 'Recovery time objectives');
  if (r.targets.length === 0)
    lines.push('  none set (give --rto 4h, or put "rto" in the job of the config file)');
  const nameWidth = Math.max(0, ...r.targets.map((t) => t.name.length));
  for (const t of r.targets) lines.push(...targetLines(t, nameWidth));
  if (r.failedFileCount > 0) {
    lines.push('', `Files that failed (${r.failedFileCount})`);
    for (const f of r.failedFiles) {
      lines.push(`  ${f.path}`);
      if (f.expectedSha256) lines.push(`      recorded SHA-256 ${f.expectedSha256}`);
      lines.push(`      ${f.error}`);
    }
    if (r.failedFileCount > r.failedFiles.length)
      lines.push(`  … and ${r.failedFileCount - r.failedFiles.length} more`);
  }
  if (r.damagedFolders.length > 0) {
    lines.push('', 'Folders whose listing could not be read (nothing under them was restored)');
    for (const d of r.damagedFolders) lines.push(`  ${d}`);
  }
  if (r.damagedObjects.length > 0) {
    lines.push('', 'Damaged in the repository');
    for (const d of r.damagedObjects) lines.push(`  ${d.key}: ${d.message}`);
  }
  if (!r.passed) {
    lines.push('', 'Why it failed');
    for (const reason of r.reasons) lines.push(`  - ${reason}`);
  }
  lines.push('');
  lines.push(
    recordId
      ? `Recorded in the repository as drill ${recordId.slice(0, 8)} ("coffer drill list", "coffer drill report").`
      : 'This drill could not be recorded in the repository (see the warning above).',
  );
  lines.push(
    r.scratch.kept
      ? `The restored files were kept in ${r.scratch.path}.`
      : `The scratch folder ${r.scratch.path} was removed.`,
  );
  return lines;
}

function targetLines(t: TargetResult, width: number): string[] {
  const achieved = t.achievedMs === undefined ? 'could not be worked out' : formatDuration(t.achievedMs);
  const how = t.basis === 'measured' ? 'measured' : t.basis === 'upper-bound' ? 'at most' : 'estimated';
  return [
    `  ${t.name.padEnd(width)}  target ${t.target.padEnd(6)} achieved ${achieved} (${how})  ${t.met ? 'MET' : 'NOT MET'}`,
    ...(t.basis === 'measured' ? [] : [`  ${' '.repeat(width)}  ${t.note}`]),
  ];
}

function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}
