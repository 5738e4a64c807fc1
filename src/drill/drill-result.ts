// What a drill found: the plain value `runDrill` returns, `coffer drill run` prints and the drill record
// (docs/format.md 13) stores.

/** Which part of the snapshot a drill restores. */
export type DrillScope =
  | { readonly kind: 'full' }
  /** A deterministic sample of `percent` % of the files, chosen by `seed` (hex), so it can be repeated. */
  | { readonly kind: 'sample'; readonly percent: number; readonly seed: string }
  /** These absolute paths of the snapshot (folders or files) and everything under them. */
  | { readonly kind: 'paths'; readonly paths: readonly string[] };

/**
 * Milliseconds per phase. `openMs` and `treesMs` are wall time; download, write and verify overlap (several
 * files are restored at once), so they share the restore's wall time in proportion to the time files spent
 * in each. The five add up to `wallMs`.
 */
export interface DrillPhases {
  /** Opening the repository (key derivation) and loading the index. */
  readonly openMs: number;
  /** Reading the folder listings (trees) and planning what to write. */
  readonly treesMs: number;
  /** Downloading and decrypting file contents. */
  readonly downloadMs: number;
  readonly writeMs: number;
  /** Computing each file's SHA-256 and comparing it with the one the snapshot recorded. */
  readonly verifyMs: number;
}

/** How an achieved time was obtained. */
export type TimeBasis =
  /** The drill restored exactly this scope: the time was measured. */
  | 'measured'
  /** The drill restored more than this scope and met the target anyway: the set alone takes at most this long. */
  | 'upper-bound'
  /** Worked out from the drill's measured throughput (sampled drills, or sets the drill did not restore alone). */
  | 'estimate';

export interface TargetResult {
  /** "whole snapshot", or the name of a critical set ("finance"). */
  readonly name: string;
  /** Absolute paths of the set; absent for the whole snapshot. */
  readonly paths?: readonly string[];
  /** The target as written ("4h"). */
  readonly target: string;
  readonly targetMs: number;
  /** Undefined when it could not be worked out (then `met` is false and `note` says why). */
  readonly achievedMs?: number;
  readonly basis: TimeBasis;
  readonly met: boolean;
  /** Files and bytes a real recovery of this scope restores. */
  readonly files: number;
  readonly bytes: number;
  /** One plain sentence: how the time was obtained, and for an estimate the assumption it rests on. */
  readonly note: string;
}

export interface FailedFile {
  /** Path in the snapshot (absolute). */
  readonly path: string;
  /** The SHA-256 the snapshot recorded. */
  readonly expectedSha256?: string;
  /** Why it failed: a checksum mismatch (naming the hash found), or the error reading its data. */
  readonly error: string;
}

export interface DamagedObject {
  /** Storage key of the damaged object (`data/3f/3f0a…`), or a tree blob when its pack is unknown. */
  readonly key: string;
  readonly message: string;
}

export interface DrillResult {
  readonly version: 1;
  /** RFC 3339. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly ranBy: {
    readonly keyId: string;
    readonly keyName: string;
    readonly host: string;
    readonly user: string;
  };
  /** "coffer 0.1.0". */
  readonly program: string;
  readonly snapshot: {
    readonly id: string;
    readonly time: string;
    readonly host: string;
    readonly paths: readonly string[];
  };
  readonly scope: DrillScope;
  /** Where the files were restored; `kept` when they were left there (--keep). */
  readonly scratch: { readonly path: string; readonly kept: boolean };
  readonly phases: DrillPhases;
  /** Summed time files spent in each overlapping phase, before sharing out (see DrillPhases). */
  readonly busyMs: { readonly downloadMs: number; readonly writeMs: number; readonly verifyMs: number };
  /** The achieved recovery time of what this drill restored: open + trees + restore, wall clock. */
  readonly wallMs: number;
  readonly restored: {
    readonly files: number;
    readonly bytes: number;
    /** Bytes per second over the restore (download to verify); absent when nothing was restored. */
    readonly bytesPerSecond?: number;
  };
  /** Files and bytes of the whole snapshot. */
  readonly snapshotTotals: { readonly files: number; readonly bytes: number };
  readonly targets: readonly TargetResult[];
  readonly passed: boolean;
  /** Plain sentences saying why the drill failed; empty when it passed. */
  readonly reasons: readonly string[];
  /** At most FAILED_FILES_KEPT of them; `failedFileCount` is the full count. */
  readonly failedFiles: readonly FailedFile[];
  readonly failedFileCount: number;
  readonly damagedObjects: readonly DamagedObject[];
  /** Folders whose listing could not be read: nothing under them could be restored. */
  readonly damagedFolders: readonly string[];
}

/** A record stays a small object however many files failed. */
export const FAILED_FILES_KEPT = 200;

export interface StoredDrill {
  /** The id of its `drills/<id>` object. */
  readonly id: string;
  readonly drill: DrillResult;
}
