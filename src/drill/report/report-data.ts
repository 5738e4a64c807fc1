// The annual disaster-recovery report as plain data: gathered once from the repository (and the job's
// config), then rendered as HTML, Markdown or JSON. Every figure a renderer shows is in here.

import type { DrillScope, TimeBasis } from '../drill-result.js';

export interface ReportData {
  readonly version: 1;
  readonly year: number;
  /** RFC 3339. */
  readonly generatedAt: string;
  /** IANA zone the weeks and dates are read in. */
  readonly timeZone: string;
  /** "coffer 0.1.0". */
  readonly program: string;
  readonly repository: {
    readonly location: string;
    readonly id: string;
    /** RFC 3339: when the repository was made. */
    readonly created: string;
  };
  /** The config job the report was made for (--job), if any. */
  readonly job?: string;
  readonly rto: readonly ReportTarget[];
  readonly drills: readonly ReportDrill[];
  /** The newest drill that passed, in any year up to the report's date. */
  readonly lastPassedDrill?: { readonly id: string; readonly time: string };
  readonly cadence: Cadence;
  readonly retention: Retention;
  readonly keys: KeyHolders;
  readonly checks: readonly CheckEntry[];
  readonly problems: readonly Problem[];
  /** Audit, drill and snapshot records that could not be read (the report may miss what they held). */
  readonly unreadableRecords: number;
}

export interface ReportTarget {
  readonly name: string;
  readonly paths?: readonly string[];
  readonly target: string;
  readonly targetMs: number;
  /** From the config file's job, or only seen in the year's drill records. */
  readonly source: 'config' | 'drills';
  /** The newest of the year's drills that judged this target. */
  readonly latest?: {
    readonly drill: string;
    readonly time: string;
    readonly achievedMs?: number;
    readonly basis: TimeBasis;
    readonly met: boolean;
  };
}

export interface ReportDrill {
  readonly id: string;
  readonly time: string;
  readonly snapshot: string;
  readonly snapshotTime: string;
  readonly scope: DrillScope;
  readonly scopeText: string;
  readonly passed: boolean;
  readonly wallMs: number;
  readonly files: number;
  readonly bytes: number;
  readonly bytesPerSecond?: number;
  readonly failedFiles: number;
  readonly targets: readonly {
    readonly name: string;
    readonly target: string;
    readonly targetMs: number;
    readonly achievedMs?: number;
    readonly basis: TimeBasis;
    readonly met: boolean;
    readonly note: string;
  }[];
  readonly reasons: readonly string[];
  /** Who ran it: key holder name, and user@host. */
  readonly ranBy: string;
}

export type WeekStatus =
  /** At least one snapshot that week. */
  | 'backed-up'
  /** None, and the week is over. */
  | 'missed'
  /** The current week, no snapshot yet. */
  | 'in-progress'
  | 'future'
  /** The week ended before the repository was made. */
  | 'before';

export interface WeekMark {
  /** ISO week number, 1 to 53. */
  readonly week: number;
  /** Monday and Sunday, YYYY-MM-DD, in the report's time zone. */
  readonly start: string;
  readonly end: string;
  readonly status: WeekStatus;
  readonly snapshots: number;
}

export interface Cadence {
  readonly weeks: readonly WeekMark[];
  readonly backedUp: number;
  readonly missed: number;
  /** Weeks that count: over and after the repository was made (backed up + missed, and this week if backed up). */
  readonly expected: number;
  readonly snapshots: number;
  /** RFC 3339 of the newest snapshot up to the report's end, if any. */
  readonly lastSnapshot?: string;
}

export interface Retention {
  /** False when no policy is on record (no --job, or the job keeps everything). */
  readonly recorded: boolean;
  /** The policy in words, one rule a line. */
  readonly rules: readonly string[];
  readonly note: string;
}

export interface KeyHolder {
  readonly id: string;
  readonly name: string;
  readonly role?: string;
  /** RFC 3339, from the key file. */
  readonly added?: string;
  /** Holder name of the key that added it (from the audit log). */
  readonly addedBy?: string;
}

export interface RemovedKey {
  readonly id: string;
  readonly name: string;
  readonly removed: string;
  readonly removedBy: string;
}

export interface KeyHolders {
  readonly current: readonly KeyHolder[];
  readonly removed: readonly RemovedKey[];
  /** Key files that could not be read. */
  readonly unreadable: number;
}

export interface CheckEntry {
  readonly time: string;
  readonly outcome: string;
  readonly summary: string;
  readonly by: string;
}

export interface Problem {
  /** 'serious': the council cannot rely on recovery as planned; 'attention': should be put right. */
  readonly severity: 'serious' | 'attention';
  readonly title: string;
  readonly detail: string;
  /** What to do, in plain words. */
  readonly recommendation: string;
}
