// Data no snapshot uses: packs no index lists (left by interrupted backups) and indexed blobs nothing refers
// to. Notes, not errors: prune can remove it, unless errors found by the check mean it may still be needed.

import { formatBytes } from '../ui/index.js';
import { objectKey } from '../repository/index.js';
import type { Findings } from './findings.js';
import type { PackComparison, PackEntries } from './packs.js';
import { PATH_LIMIT } from './result.js';

export function noteUnusedData(
  findings: Findings,
  comparison: PackComparison,
  entries: PackEntries,
  used: ReadonlySet<string>,
): void {
  const caution =
    findings.errors.length > 0
      ? ' Fix the errors above before running "coffer prune": some of this data may be what they are missing.'
      : '';
  const { unindexed } = comparison;
  if (unindexed.length > 0) {
    const bytes = unindexed.reduce((n, p) => n + p.size, 0);
    findings.note(
      'unindexed-packs',
      `${count(unindexed.length, 'pack')} (${formatBytes(bytes)}) ${unindexed.length === 1 ? 'is' : 'are'} not listed in any index, as an interrupted backup leaves them: unused data, "coffer prune" can remove it.${caution}`,
      unindexed.slice(0, PATH_LIMIT).map((p) => objectKey('pack', p.id)),
    );
  }
  const missing = new Set(comparison.missing);
  let blobs = 0;
  let bytes = 0;
  const packs: string[] = [];
  let wholePacks = 0;
  for (const [packId, list] of entries) {
    if (missing.has(packId)) continue;
    const unusedHere = list.filter((b) => !used.has(b.id));
    if (unusedHere.length === 0) continue;
    blobs += unusedHere.length;
    bytes += unusedHere.reduce((n, b) => n + b.length, 0);
    packs.push(objectKey('pack', packId));
    if (unusedHere.length === list.length) wholePacks++;
  }
  if (blobs > 0) {
    const whole =
      wholePacks > 0
        ? ` (${count(wholePacks, 'pack')} of them ${wholePacks === 1 ? 'holds' : 'hold'} nothing else)`
        : '';
    findings.note(
      'unused-data',
      `${count(blobs, 'blob')} (${formatBytes(bytes)}) in ${count(packs.length, 'pack')}${whole} ${blobs === 1 ? 'is' : 'are'} not used by any snapshot: unused data, "coffer prune" can remove it.${caution}`,
      packs.sort().slice(0, PATH_LIMIT),
    );
  }
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
