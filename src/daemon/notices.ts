// What the daemon has to tell people about, as plain values: the daemon decides *that* something is
// worth a notice; turning it into an email or webhook message is the notify layer's job.

import type { CofferConfig } from '../config/index.js';
import type { BackupRecord, FailureRecord } from './state-types.js';

export type DaemonNotice =
  | {
      readonly kind: 'failure';
      readonly job: string;
      readonly time: Date;
      readonly failure: FailureRecord;
      /** How many attempts were made before giving up. */
      readonly attempts: number;
      readonly lastSuccess?: BackupRecord;
    }
  | {
      readonly kind: 'overdue';
      readonly job: string;
      readonly time: Date;
      readonly since: Date;
      readonly lastSuccess?: BackupRecord;
      readonly lastFailure?: FailureRecord;
    }
  | { readonly kind: 'check-failed'; readonly job: string; readonly time: Date; readonly summary: string }
  | {
      readonly kind: 'success';
      readonly job: string;
      readonly time: Date;
      readonly backup: BackupRecord;
      /** How long the backup step took. */
      readonly durationMs: number;
    }
  | { readonly kind: 'drill-due'; readonly job: string; readonly time: Date; readonly lastPassed?: Date }
  | { readonly kind: 'drill-failed'; readonly job: string; readonly time: Date; readonly summary: string }
  | {
      readonly kind: 'digest';
      readonly time: Date;
      readonly jobs: readonly DigestLine[];
    };

/** One job in the weekly digest. */
export interface DigestLine {
  readonly job: string;
  readonly lastSuccess?: Date;
  readonly overdue: boolean;
  /** undefined: no check has run. */
  readonly lastCheckOk?: boolean;
  readonly nextRun?: Date;
}

/** Sends a notice through the config's channels; must never throw (delivery trouble is logged). */
export type Notifier = (config: CofferConfig, notice: DaemonNotice) => Promise<void>;
