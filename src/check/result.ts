// What a check finds: errors (damage, with the snapshots and paths it affects), notes, and counts.

/** What kind of damage an error describes; stable strings for --json consumers. */
export type CheckErrorKind =
  /** A key file whose bytes do not match its name or that is not a valid key file. */
  | 'key-damaged'
  /** A key file made for another repository: its password cannot open this one. */
  | 'key-foreign'
  | 'snapshot-damaged'
  | 'index-damaged'
  /** A pack the index lists is not in the storage. */
  | 'pack-missing'
  /** A pack's size or layout disagrees with its index entries (truncated, extended, replaced). */
  | 'pack-size'
  /** `--read-data` found a pack whose bytes, header or blobs do not verify. */
  | 'pack-damaged'
  /** A tree blob could not be read or decoded while walking the snapshots. */
  | 'tree-damaged'
  /** Snapshots use blobs that no index lists. */
  | 'blobs-missing'
  /** An audit or drill record that does not verify: the log has a gap, or was altered. */
  | 'record-damaged'
  /** The storage failed (network, permissions) so part of the repository could not be checked. */
  | 'read-failed';

export type CheckNoteKind =
  | 'unindexed-packs'
  | 'unused-data'
  /** Snapshots within their Object Lock period depend on objects whose lock ends sooner. */
  | 'lock-short';

/** Which paths of one snapshot an error affects. A path ending in `/` is a whole folder; `/` is the whole snapshot. */
export interface AffectedSnapshot {
  readonly snapshot: string;
  /** Absent when the snapshot object itself cannot be read. */
  readonly time?: string;
  /** Sorted; at most {@link PATH_LIMIT} of them, the counts say how many there are in all. */
  readonly paths: readonly string[];
  readonly files: number;
  readonly folders: number;
}

export interface CheckError {
  readonly kind: CheckErrorKind;
  /** The storage key (`data/3f/3f0a…`) or blob (`tree blob 3f0a…`) that is damaged. */
  readonly object: string;
  /** What is wrong. */
  readonly message: string;
  /** What to do about it, in words a clerk can act on. */
  readonly advice: string;
  readonly affected: readonly AffectedSnapshot[];
}

export interface CheckNote {
  readonly kind: CheckNoteKind;
  readonly message: string;
  /** The storage keys concerned (packs), at most {@link PATH_LIMIT}. */
  readonly objects: readonly string[];
  /** The snapshots concerned, when the note is about snapshots (`lock-short`). */
  readonly snapshots?: readonly string[];
}

export interface CheckCounts {
  keys: number;
  snapshots: number;
  indexFiles: number;
  /** Packs the index lists. */
  packs: number;
  /** Blobs the index lists. */
  blobs: number;
  /** Distinct trees walked (a subtree shared by many snapshots counts once). */
  trees: number;
  /** Distinct data blobs the snapshots use. */
  dataBlobs: number;
  /** Audit and drill records that verified. */
  auditRecords: number;
  drillRecords: number;
  /** Packs downloaded whole and verified (by --read-data, or because their size was wrong). */
  packsRead: number;
  /** Every byte downloaded by the check. */
  bytesRead: number;
}

export interface CheckResult {
  readonly ok: boolean;
  /** Which packs --read-data covered: none, all, or the subset as given (`2/4`, `10%`). */
  readonly readData: 'none' | 'all' | { readonly subset: string };
  readonly errors: readonly CheckError[];
  readonly notes: readonly CheckNote[];
  readonly counts: Readonly<CheckCounts>;
}

export type CheckPhase = 'keys' | 'snapshots' | 'index' | 'packs' | 'read-data' | 'trees';

export interface CheckProgress {
  readonly phase: CheckPhase;
  readonly done: number;
  /** 0 when not known in advance (trees). */
  readonly total: number;
}

/** Per error and snapshot, how many paths are kept; counts go on past it. */
export const PATH_LIMIT = 1000;
