// Which packs a partial --read-data covers: group N of M (deterministic, so M runs cover every pack) or a
// random percentage (at least one pack).

import { UsageError } from '../errors.js';

export type DataSubset =
  | { readonly kind: 'group'; readonly n: number; readonly m: number }
  | { readonly kind: 'percent'; readonly percent: number };

/** Parses `N/M` (1 <= N <= M <= 256) or `P%` (0 < P <= 100). */
export function parseSubset(text: string): DataSubset {
  const t = text.trim();
  const group = /^(\d+)\/(\d+)$/.exec(t);
  if (group) {
    const n = Number(group[1]);
    const m = Number(group[2]);
    if (m >= 1 && m <= 256 && n >= 1 && n <= m) return { kind: 'group', n, m };
    throw new UsageError(
      `--read-data-subset ${text}: in N/M, M must be from 1 to 256 and N from 1 to M (for example 1/4, then 2/4, 3/4 and 4/4 on the following weeks)`,
    );
  }
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (percent) {
    const p = Number(percent[1]);
    if (p > 0 && p <= 100) return { kind: 'percent', percent: p };
    throw new UsageError(`--read-data-subset ${text}: the percentage must be more than 0 and at most 100`);
  }
  throw new UsageError(
    `--read-data-subset ${text}: give N/M (read group N of M, for example 2/4) or a percentage (for example 10%)`,
  );
}

/**
 * The packs of `ids` the subset covers. A group takes the packs whose id's first byte is N-1 modulo M, so
 * the groups 1/M … M/M split the packs with no overlap. A percentage draws that share at random (rounded,
 * at least one pack when there are any).
 */
export function selectPacks(
  ids: readonly string[],
  subset: DataSubset,
  random: () => number = Math.random,
): string[] {
  if (subset.kind === 'group') {
    return ids.filter((id) => Number.parseInt(id.slice(0, 2), 16) % subset.m === subset.n - 1);
  }
  if (ids.length === 0) return [];
  const count = Math.min(ids.length, Math.max(1, Math.round((ids.length * subset.percent) / 100)));
  const pool = [...ids];
  // a partial Fisher-Yates shuffle: the first `count` places end up a uniform random choice
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}
