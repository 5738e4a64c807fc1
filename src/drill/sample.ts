// A deterministic sample of a snapshot's files: each file is in it when a hash of the seed and its path
// falls below the percentage, so the same seed picks the same files again (to repeat a drill that failed).

import { createHash, randomBytes } from 'node:crypto';

export function newSampleSeed(): string {
  return randomBytes(8).toString('hex');
}

/** Where a path falls in [0, 1) for this seed. */
export function sampleRank(seed: string, path: Uint8Array): number {
  const digest = createHash('sha256').update(seed).update('\0').update(path).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/**
 * The items chosen by `percent` (0 < percent <= 100). At least one is chosen when there are any, so a
 * small snapshot still gives a throughput to measure.
 */
export function sampleItems<T>(
  items: readonly T[],
  pathOf: (item: T) => Uint8Array,
  percent: number,
  seed: string,
): T[] {
  const ranked = items.map((item) => ({ item, rank: sampleRank(seed, pathOf(item)) }));
  const chosen = ranked.filter((r) => r.rank < percent / 100);
  if (chosen.length === 0 && ranked.length > 0)
    chosen.push(ranked.reduce((lowest, r) => (r.rank < lowest.rank ? r : lowest)));
  return chosen.map((r) => r.item);
}
