// The audit log's line for a drill (docs/format.md 12): what was drilled, the verdict, and the record's id.

import { type Describe, describing } from '../audit/index.js';
import { formatBytes, formatDuration } from '../ui/index.js';
import type { DrillResult, DrillScope } from './drill-result.js';

export interface RecordedDrill {
  readonly result: DrillResult;
  /** The `drills/<id>` record, when it could be written. */
  readonly recordId?: string;
}

export function scopeText(scope: DrillScope): string {
  if (scope.kind === 'full') return 'whole snapshot';
  if (scope.kind === 'sample') return `${scope.percent}% sample (seed ${scope.seed})`;
  return scope.paths.join(', ');
}

export function drillSummary(r: DrillResult): string {
  const restored = `${r.restored.files} files (${formatBytes(r.restored.bytes)}) restored and verified in ${formatDuration(r.wallMs)}`;
  return r.passed
    ? `drill of snapshot ${r.snapshot.id.slice(0, 8)} (${scopeText(r.scope)}) passed: ${restored}${r.targets.length > 0 ? `; ${r.targets.length === 1 ? 'the RTO was' : `all ${r.targets.length} RTOs were`} met` : ''}`
    : `drill of snapshot ${r.snapshot.id.slice(0, 8)} (${scopeText(r.scope)}) FAILED: ${r.reasons[0] ?? 'see the drill record'}`;
}

export function describeDrill(asked: Readonly<Record<string, unknown>>): Describe<RecordedDrill> {
  return describing('drill', asked, ({ result: r, recordId }) => ({
    outcome: r.passed ? 'success' : 'failure',
    summary: drillSummary(r),
    details: {
      ...(recordId ? { drill: recordId } : {}),
      snapshot: r.snapshot.id,
      scope: r.scope.kind,
      passed: r.passed,
      wallMs: Math.round(r.wallMs),
      files: r.restored.files,
      bytes: r.restored.bytes,
      ...(r.failedFileCount > 0 ? { failedFiles: r.failedFileCount } : {}),
    },
  }));
}
