// What the daemon remembers between runs, per job: the shape of <state-dir>/state.json. Times are ISO
// strings (UTC), as stored, so the file stays readable by people and by `jq`.

/** The parts of a job run, named in failures and in log lines. */
export type JobStep = 'backup' | 'forget' | 'prune' | 'check' | 'drill' | 'size';

export interface BackupRecord {
  readonly time: string;
  readonly snapshot: string;
  readonly bytesAdded: number;
  readonly filesNew: number;
  readonly filesChanged: number;
  /** Some files could not be read (exit 3); the snapshot was still written. */
  readonly incomplete?: boolean;
}

export interface FailureRecord {
  readonly time: string;
  readonly step: JobStep;
  /** coffer's own message for the clerk (never a secret: the CLI keeps them out of messages). */
  readonly message: string;
  /** The step's exit code; null when it was killed by a signal. */
  readonly exitCode: number | null;
}

export interface CheckRecord {
  readonly time: string;
  readonly ok: boolean;
  readonly summary: string;
}

export interface DrillRecord {
  readonly time: string;
  readonly passed: boolean;
  readonly summary: string;
}

export interface PruneRecord {
  readonly time: string;
  readonly summary: string;
}

export interface SizeRecord {
  readonly time: string;
  readonly bytes: number;
  readonly objects: number;
}

/** A failed run waiting for another attempt. */
export interface RetryRecord {
  /** The attempt this will be (2 = the first retry). */
  readonly attempt: number;
  readonly at: string;
  /** No retry starts after this; the run is then given up until its next scheduled time. */
  readonly windowEndsAt: string;
}

export interface JobState {
  /** When the daemon first scheduled this job: the reference for a job that never ran. */
  readonly firstSeen?: string;
  /** Start of the last backup attempt that finished (well or badly); interrupted ones do not count. */
  readonly lastAttempt?: string;
  readonly lastSuccess?: BackupRecord;
  readonly lastFailure?: FailureRecord;
  /** The next run the daemon has planned. */
  readonly nextRun?: string;
  readonly retry?: RetryRecord;
  /** A step in progress (cleared at the end, and at start since the pid lock proves nobody runs it). */
  readonly running?: { readonly since: string; readonly step: JobStep };
  readonly lastCheck?: CheckRecord;
  readonly lastPrune?: PruneRecord;
  readonly lastDrill?: DrillRecord;
  /** When a drill last passed: what the drill reminder counts from. */
  readonly lastPassedDrill?: string;
  /** When the daemon last started a scheduled drill. */
  readonly lastDrillAttempt?: string;
  readonly repositorySize?: SizeRecord;
  /** Set when the overdue notice went out, cleared by the next success: one notice per episode. */
  readonly overdueNotifiedAt?: string;
  /** When the last "a drill is due" reminder went out (at most one a month). */
  readonly drillReminderAt?: string;
}

export interface DaemonState {
  readonly version: 1;
  readonly updatedAt?: string;
  readonly jobs: Readonly<Record<string, JobState>>;
  /** When the last weekly digest went out. */
  readonly lastDigest?: string;
}

export const EMPTY_STATE: DaemonState = { version: 1, jobs: {} };
