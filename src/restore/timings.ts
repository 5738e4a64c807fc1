// Where a restore's time goes, for disaster-recovery drills: the milliseconds files spent waiting for
// their data (download and decrypt), writing it, and verifying it, summed over every file. Files are
// restored several at once, so the sums can exceed the wall time; a drill shares the wall time out in
// their proportions.

export interface RestoreTimings {
  downloadMs: number;
  writeMs: number;
  verifyMs: number;
}

export function newRestoreTimings(): RestoreTimings {
  return { downloadMs: 0, writeMs: 0, verifyMs: 0 };
}

/** Adds the time since `since` to `phase` (when timings are kept); returns now, the next lap's start. */
export function lap(timings: RestoreTimings | undefined, phase: keyof RestoreTimings, since: number): number {
  const now = performance.now();
  if (timings) timings[phase] += now - since;
  return now;
}
